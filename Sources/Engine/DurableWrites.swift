import CSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Group commit for atomic writes: a written temp file must be on disk before it is renamed
/// into place, but an fsync per file costs ~0.25 ms here, and ten thousand files written at once
/// would wait for ten thousand journal commits one after another. Writers that arrive together
/// share one `syncfs` per file system: one thread syncs while the next group gathers, so every
/// writer still waits until its data is durable, but the commits are shared.
final class DurableWrites: Sendable {
    static let shared = DurableWrites()

    struct Waiter {
        let fd: Int32
        let done: CheckedContinuation<Int32, Never>
    }

    let state = Mutex((waiting: [Waiter](), syncing: false))

    /// Returns 0 once the data written to `fd` is durable, or an errno.
    func sync(_ fd: Int32) async -> Int32 {
        await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let start = state.withLock { s -> Bool in
                s.waiting.append(Waiter(fd: fd, done: c))
                if s.syncing { return false }
                s.syncing = true
                return true
            }
            if start { detachThread { [self] in drain() } }
        }
    }

    func drain() {
        while true {
            // Let the group gather: while writers keep arriving (every 200 µs), wait up to 2 ms.
            var seen = state.withLock { $0.waiting.count }
            for _ in 0..<10 {
                usleep(200)
                let now = state.withLock { $0.waiting.count }
                if now == seen { break }
                seen = now
            }
            let group = state.withLock { s -> [Waiter] in
                let g = s.waiting
                s.waiting = []
                if g.isEmpty { s.syncing = false }
                return g
            }
            if group.isEmpty { return }
            var result: [UInt64: Int32] = [:]
            var outcome: [Int32] = []
            for w in group {
                var st = stat()
                guard fstat(w.fd, &st) == 0 else { outcome.append(errno); continue }
                let dev = UInt64(st.st_dev)
                if result[dev] == nil { result[dev] = csystem_syncfs(w.fd) == 0 ? 0 : errno }
                outcome.append(result[dev]!)
            }
            for (w, rc) in zip(group, outcome) { w.done.resume(returning: rc) }
        }
    }
}
