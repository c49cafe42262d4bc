/// Graph-wide counting semaphores (meta `sema: [id, id:count]`), taken in sorted order around
/// a check-apply so two resources can never deadlock on them.
actor Semaphores {
    struct Sem {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    var sems: [String: Sem] = [:]

    /// `id` (count 1) or `id:count`.
    static func parse(_ s: String) -> (id: String, count: Int)? {
        guard let colon = s.lastIndex(of: ":") else { return s.isEmpty ? nil : (s, 1) }
        guard let n = Int(s[s.index(after: colon)...]), n > 0, colon != s.startIndex else { return nil }
        return (String(s[..<colon]), n)
    }

    func acquire(_ ids: [String]) async {
        for s in ids.sorted() {
            let (id, count) = Self.parse(s)!
            let key = "\(id):\(count)"
            if sems[key] == nil { sems[key] = Sem(free: count) }
            if sems[key]!.free > 0 {
                sems[key]!.free -= 1
            } else {
                await withCheckedContinuation { sems[key]!.waiters.append($0) }
            }
        }
    }

    func release(_ ids: [String]) {
        for s in ids.sorted().reversed() {
            let (id, count) = Self.parse(s)!
            let key = "\(id):\(count)"
            if sems[key]!.waiters.isEmpty {
                sems[key]!.free += 1
            } else {
                sems[key]!.waiters.removeFirst().resume() // handed over: stays taken
            }
        }
    }
}

/// A token bucket (meta `limit` events per second, `burst` tokens) for check-apply starts.
actor TokenBucket {
    let rate: Double
    let burst: Double
    var tokens: Double
    var last = ContinuousClock.now

    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(burst)
        tokens = Double(burst)
    }

    func take() async {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / rate
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1))
        }
    }
}
