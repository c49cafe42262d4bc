import Graph
import Synchronization

/// Runs an `EngineGraph`: every resource whose parents have all converged is checked at once
/// (so independent parts and siblings run in parallel); a resource's watch events make it
/// check again; a change pokes its children, and a change over a `notify: true` edge refreshes
/// them; a failure (after meta retries) blocks only its descendants. All state lives in one
/// loop that reads messages from watches and workers, so it needs no locks.
public final class Scheduler: Sendable {
    public struct Options: Sendable {
        /// Exit once everything has been idle this many seconds (-1: never).
        public var convergedTimeout: Int = -1
        /// Check only: change nothing (every resource's meta noop).
        public var noop = false
        /// Remove every watch registration when `run` returns. A process that exits right
        /// after may skip it (10k inotify subscriptions cost ~10 ms to undo one by one), and
        /// then the vertices are left for the exit to free too (freeing 10k of them one by one
        /// was ~1.4% of a re-check's instructions); task watches (commands) are stopped either way.
        public var releaseWatches = true
        public init(convergedTimeout: Int = -1, noop: Bool = false, releaseWatches: Bool = true) {
            self.convergedTimeout = convergedTimeout
            self.noop = noop
            self.releaseWatches = releaseWatches
        }
    }

    /// What happened, for the summary and the exit status.
    public struct Summary: Sendable, CustomStringConvertible {
        public var resources = 0
        public var converged = 0
        public var changed = 0
        public var failed: [String] = []
        public var blocked: [String] = []
        public var checks = 0
        public var stoppedBySignal = false

        public var description: String {
            "summary: \(resources) resources, \(converged) converged, \(changed) changed, \(failed.count) failed, \(blocked.count) blocked"
        }
    }

    enum Message: Sendable {
        case event(Int)
        case done(Int, Outcome)
        case watchEnded(Int, String?)
        case idle(Int)
        case load(EngineGraph)
        case note(String)
        case signal
    }

    enum Outcome: Sendable {
        case ok(changed: Bool)
        case failed(String)
        case cancelled
    }

    let options: Options
    let log: EngineLog
    /// The loop's inbox (`send.yield(...)` from anywhere).
    let send = Mailbox<Message>()
    let initial: EngineGraph

    public init(_ graph: EngineGraph, options: Options, log: EngineLog) {
        self.initial = graph
        self.options = options
        self.log = log
    }

    /// Swaps in a new graph, keeping resources that did not change running (mgmt's graph sync).
    public func load(_ graph: EngineGraph) { send.yield(.load(graph)) }
    /// Logs a line through the loop (so it is ordered with the engine's own lines).
    public func note(_ line: String) { send.yield(.note(line)) }
    /// First call: stop watching and starting work, let running work finish. Second: kill it.
    public func stop() { send.yield(.signal) }

    /// One vertex's state, touched only by the loop.
    final class Vertex {
        let id: Int
        let spec: Resource
        let resource: EngineResource
        var parents: [Int] = []
        var children: [(id: Int, notify: Bool)] = []
        var pending = true          // needs a check-apply (start, event, upstream change, refresh)
        var eventWhileRunning = false
        var queued = false          // in `toCheck`
        var blocker = 0             // the parent that kept it from running last time
        var refresh = false
        var running = false
        var checked = false         // has succeeded at least once since it was (re)started
        var watchStarted = false    // its watch is in place (it is checked only then)
        var failed: String?
        var watch: Task<Void, Never>?
        var subscription: WatchSubscription?
        var work: Task<Void, Never>?
        let limiter: TokenBucket?

        init(id: Int, spec: Resource, resource: EngineResource) {
            self.id = id
            self.spec = spec
            self.resource = resource
            if let l = spec.meta?.limit, l.isFinite { limiter = TokenBucket(rate: l, burst: spec.meta?.burst ?? 1) } else { limiter = nil }
        }
        var ref: Ref { spec.ref }
        var settled: Bool { checked && !pending && !running && failed == nil }

        func stopWatching() {
            watch?.cancel()
            subscription?.cancel()
            subscription = nil
        }
    }

    /// Runs until converged for `convergedTimeout` seconds or stopped; returns the summary.
    public func run() async -> Summary {
        var loop = Loop(scheduler: self)
        let summary = await loop.run()
        if !options.releaseWatches { Self.leftForExit.withLock { $0.append(loop.vertices) } }
        return summary
    }

    /// What a run whose process exits next leaves for the exit to free.
    private static let leftForExit = Mutex<[Any]>([])

    struct Loop {
        let scheduler: Scheduler
        var vertices = VertexTable()
        var byRef: [Ref: Int] = [:]
        var nextID = 0
        var stopping = 0
        var idleArmed = -1
        var activity = 0
        var everConverged = false
        let semaphores = Semaphores()
        let started = ContinuousClock.now
        var checks = 0
        var changedEver = Set<Ref>()
        /// Vertices that may have become ready since the last `schedule()` (only a vertex's own
        /// event or a parent's completion can make it ready), each once (`Vertex.queued`), and
        /// how many run: so a turn of the loop costs what changed, not the size of the graph.
        var toCheck: [Int] = []
        var running = 0

        init(scheduler: Scheduler) { self.scheduler = scheduler }
        var log: EngineLog { scheduler.log }
        var options: Options { scheduler.options }

        mutating func run() async -> Summary {
            install(scheduler.initial, keep: false)
            schedule()
            scheduler.send.yield(.idle(-1)) // a first turn of the loop, even with nothing to run
            receiving: while true {
                for message in await scheduler.send.receive() {
                    handle(message)
                    if stopping > 0 && running == 0 { break receiving }
                    schedule()
                    if idleNow() {
                        if !everConverged {
                            everConverged = true
                            log.line("converged in \(Self.seconds(ContinuousClock.now - started)) s (\(checks) checks)")
                        }
                        if options.convergedTimeout >= 0 && idleArmed != activity {
                            idleArmed = activity
                            let (gen, send, secs) = (activity, scheduler.send, options.convergedTimeout)
                            Task {
                                try? await Task.sleep(for: .seconds(secs))
                                send.yield(.idle(gen))
                            }
                        }
                    }
                    if case let .idle(gen) = message, gen == activity, idleNow() {
                        log.line("idle for \(options.convergedTimeout) s: exiting")
                        break receiving
                    }
                }
            }
            return await shutdown()
        }

        /// Seconds, to the millisecond.
        static func seconds(_ d: Duration) -> String {
            let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
            return String(Double(ms) / 1000)
        }

        /// After `schedule()` nothing ready is left waiting, so idle means nothing runs.
        func idleNow() -> Bool { running == 0 }

        func ready(_ v: Vertex) -> Bool {
            guard v.pending || v.refresh, !v.running, v.failed == nil, stopping == 0, v.watchStarted else { return false }
            // A fan-in of 10k parents is asked again after each parent converges: look first at
            // the parent that blocked last time, and scan on from there only once it settled
            // (linear in all, where scanning from the start each time is quadratic).
            let parents = v.parents, n = parents.count
            guard n > 0 else { return true }
            if v.blocker < n, !vertices[parents[v.blocker]]!.settled { return false }
            for k in 1...n {
                let i = (v.blocker + k) % n
                if !vertices[parents[i]]!.settled { v.blocker = i; return false }
            }
            return true
        }

        mutating func handle(_ message: Message) {
            switch message {
            case let .event(id):
                guard let v = vertices[id] else { return }
                activity += 1
                if v.running { v.eventWhileRunning = true; return }
                enqueue(id)
                if v.failed != nil {
                    log.line("\(v.ref): changed after failing; trying again")
                    v.failed = nil
                }
                v.pending = true
            case let .done(id, outcome):
                guard let v = vertices[id] else { return }
                activity += 1
                v.running = false
                running -= 1
                v.work = nil
                enqueue(id)
                finish(v, outcome)
            case let .watchEnded(id, error):
                guard let v = vertices[id], let error else { return }
                activity += 1
                fail(v, "watch: " + error)
            case .idle:
                break
            case let .load(graph):
                activity += 1
                install(graph, keep: true)
            case let .note(line):
                log.line(line)
            case .signal:
                stopping += 1
                activity += 1
                if stopping == 1 {
                    let running = vertices.values.filter(\.running).count
                    log.line("stopping" + (running > 0 ? ": waiting for \(running) running resource(s) (signal again to kill them)" : ""))
                    for v in vertices.values { v.stopWatching() }
                } else {
                    log.line("killing running commands")
                    ChildProcesses.killAll()
                    for v in vertices.values { v.work?.cancel() }
                }
            }
        }

        mutating func finish(_ v: Vertex, _ outcome: Outcome) {
            switch outcome {
            case let .ok(changed):
                checks += 1
                v.checked = true
                v.pending = v.eventWhileRunning
                v.eventWhileRunning = false
                // Children waiting for this parent may run now, changed or not.
                for c in v.children { enqueue(c.id) }
                if changed {
                    if !(options.noop || v.spec.meta?.noop == true) { changedEver.insert(v.ref) }
                    for c in v.children {
                        guard let child = vertices[c.id] else { continue }
                        if child.running { child.eventWhileRunning = true } else { child.pending = true }
                        if c.notify { child.refresh = true }
                        enqueue(c.id)
                    }
                }
            case let .failed(error):
                checks += 1
                fail(v, error)
            case .cancelled:
                v.pending = true
            }
        }

        mutating func fail(_ v: Vertex, _ error: String) {
            v.failed = error
            v.eventWhileRunning = false
            log.line("\(v.ref): failed: \(error)")
            for d in descendants(v) where !vertices[d]!.settled {
                log.line("\(vertices[d]!.ref): blocked (depends on \(v.ref), which failed)")
            }
        }

        func descendants(_ v: Vertex) -> [Int] {
            var seen = Set<Int>(), stack = v.children.map(\.id), out: [Int] = []
            while let id = stack.popLast() {
                guard seen.insert(id).inserted, let w = vertices[id] else { continue }
                out.append(id)
                stack += w.children.map(\.id)
            }
            return out.sorted { "\(vertices[$0]!.ref)" < "\(vertices[$1]!.ref)" }
        }

        mutating func enqueue(_ id: Int) {
            guard let v = vertices[id], !v.queued else { return }
            v.queued = true
            toCheck.append(id)
        }

        /// Starts a check-apply for every ready vertex.
        mutating func schedule() {
            guard stopping == 0 else { return }
            let candidates = toCheck
            toCheck = []
            for id in candidates {
                guard let v = vertices[id] else { continue }
                v.queued = false
                if ready(v) { start(v) }
            }
        }

        mutating func start(_ v: Vertex) {
            v.running = true
            running += 1
            v.pending = false
            let refresh = v.refresh
            v.refresh = false
            let meta = v.spec.meta ?? Meta()
            let apply = !(options.noop || meta.noop == true)
            let (id, ref, resource, send, log, semaphores, limiter) = (v.id, v.ref, v.resource, scheduler.send, self.log, self.semaphores, v.limiter)
            let context = ApplyContext(apply: apply, refresh: refresh) { log.line("\(ref): \($0)") }
            v.work = Task {
                var attempt = 0
                while true {
                    if let limiter { await limiter.take() }
                    if let sema = meta.sema { await semaphores.acquire(sema) }
                    let result: Result<Bool, Error>
                    do {
                        result = .success(try await withTimeout(milliseconds: meta.timeout ?? 0) { try await resource.checkApply(context) })
                    } catch {
                        result = .failure(error)
                    }
                    if let sema = meta.sema { await semaphores.release(sema) }
                    if Task.isCancelled { send.yield(.done(id, .cancelled)); return }
                    switch result {
                    case let .success(ok):
                        send.yield(.done(id, .ok(changed: !ok)))
                        return
                    case let .failure(error):
                        let retry = meta.retry ?? 0
                        if retry == -1 || attempt < retry {
                            attempt += 1
                            log.line("\(ref): error: \(error); retry \(attempt)" + (retry == -1 ? "" : " of \(retry)") +
                                     (meta.delay.map { " in \($0) ms" } ?? ""))
                            if let d = meta.delay, d > 0 { try? await Task.sleep(for: .milliseconds(d)) }
                            if Task.isCancelled { send.yield(.done(id, .cancelled)); return }
                            continue
                        }
                        send.yield(.done(id, .failed("\(error)")))
                        return
                    }
                }
            }
        }

        /// Puts a graph in place. With `keep`, vertices equal to the running ones (same
        /// parameters and meta) keep their state and watches; others are stopped or started.
        mutating func install(_ graph: EngineGraph, keep: Bool) {
            var next: [Ref: Int] = [:]
            next.reserveCapacity(graph.vertices.count)
            /// The scheduler's id of each graph vertex, by position.
            var ids: [Int] = []
            ids.reserveCapacity(graph.vertices.count)
            var added: [Vertex] = [], kept = 0
            for gv in graph.vertices {
                if keep, let id = byRef[gv.ref], let old = vertices[id], old.spec == gv.spec {
                    next[gv.ref] = id
                    ids.append(id)
                    kept += 1
                    continue
                }
                let v = Vertex(id: nextID, spec: gv.spec, resource: gv.resource)
                nextID += 1
                vertices[v.id] = v
                next[gv.ref] = v.id
                ids.append(v.id)
                added.append(v)
            }
            var removed = 0
            for (ref, id) in byRef where next[ref] != id {
                let v = vertices.removeValue(forKey: id)!
                if v.running { running -= 1 }
                v.stopWatching()
                v.work?.cancel()
                removed += 1
            }
            byRef = next
            for v in vertices.values { v.parents = []; v.children = []; v.blocker = 0 }
            for link in graph.links {
                let (a, b) = (ids[link.from], ids[link.to])
                vertices[a]!.children.append((b, link.notify))
                vertices[b]!.parents.append(a)
            }
            for id in vertices.keys where vertices[id]!.watchStarted { enqueue(id) }
            // Each new vertex's watch, then (every few hundred) the checks of those ready: the
            // pool's other thread starts checking while this one still subscribes the rest
            // (10k subscriptions are ~10% of a re-check), and no check starts before its own
            // resource is watched.
            for (k, v) in added.enumerated() {
                startWatch(v)
                v.watchStarted = true
                enqueue(v.id)
                if k % 256 == 255 { schedule() }
            }
            if keep { log.line("graph swapped: \(added.count) added, \(removed) removed, \(kept) kept") }
        }

        func startWatch(_ v: Vertex) {
            let (id, send, resource) = (v.id, scheduler.send, v.resource)
            let poll = v.spec.meta?.poll ?? 0
            let events = WatchEvents { send.yield(.event(id)) }
            if poll == 0 {
                do {
                    if let sub = try resource.subscribe(events) {
                        v.subscription = sub
                        return
                    }
                } catch {
                    send.yield(.watchEnded(id, "\(error)"))
                    return
                }
            }
            v.watch = Task {
                if poll > 0 {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(poll))
                        if !Task.isCancelled { events.changed() }
                    }
                    return
                }
                if poll == -1 { return }
                do {
                    try await resource.watch(events)
                    send.yield(.watchEnded(id, nil))
                } catch {
                    if !Task.isCancelled { send.yield(.watchEnded(id, "\(error)")) }
                }
            }
        }

        mutating func shutdown() async -> Summary {
            for v in vertices.values {
                if options.releaseWatches { v.stopWatching() } else { v.watch?.cancel() }
            }
            for v in vertices.values { await v.watch?.value }
            for v in vertices.values { await v.work?.value }
            var s = Summary()
            s.resources = vertices.count
            s.checks = checks
            s.stoppedBySignal = stopping > 0
            s.changed = changedEver.count
            var blocked = Set<Int>()
            for v in vertices.values where v.failed != nil {
                s.failed.append("\(v.ref)")
                for d in descendants(v) where vertices[d]!.failed == nil && !vertices[d]!.settled { blocked.insert(d) }
            }
            s.blocked = blocked.map { "\(vertices[$0]!.ref)" }.sorted()
            s.failed.sort()
            s.converged = vertices.values.filter(\.settled).count
            return s
        }
    }
}

/// The scheduler's vertices by id: ids are handed out in order, so an array with holes for
/// removed vertices (a lookup per parent on every readiness test, no hashing).
struct VertexTable {
    private var slots: [Scheduler.Vertex?] = []

    subscript(id: Int) -> Scheduler.Vertex? {
        get { id >= 0 && id < slots.count ? slots[id] : nil }
        set {
            if id >= slots.count { slots.append(contentsOf: repeatElement(nil, count: id - slots.count + 1)) }
            slots[id] = newValue
        }
    }

    var count: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    mutating func removeValue(forKey id: Int) -> Scheduler.Vertex? {
        let v = self[id]
        self[id] = nil
        return v
    }

    var values: [Scheduler.Vertex] { slots.compactMap { $0 } }
    var keys: [Int] { slots.indices.filter { slots[$0] != nil } }
}

struct TimeoutError: Error, CustomStringConvertible {
    let milliseconds: Int
    var description: String { "timed out after \(milliseconds) ms" }
}

/// Runs `body`, cancelling it after `milliseconds` (0: no limit).
func withTimeout<T: Sendable>(milliseconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard milliseconds > 0 else { return try await body() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(milliseconds))
            throw TimeoutError(milliseconds: milliseconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// The engine's log: one line per event, written whole (lines from many tasks never mix).
public final class EngineLog: Sendable {
    let sink: @Sendable (String) -> Void
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }
    public func line(_ s: String) { sink(s) }

    /// Lines to standard error.
    public static let standardError = EngineLog { line in
        stderrLock.withLock { _ in
            var s = line + "\n"
            s.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, stderr) }
            fflush(stderr)
        }
    }
}

let stderrLock = Mutex(0)
#if canImport(Glibc)
import Glibc
#endif
