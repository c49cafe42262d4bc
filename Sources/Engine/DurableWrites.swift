import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Makes written temp files durable before they are renamed into place, off the task pool: an
/// fdatasync costs ~0.25 ms on this kind of disk, and a pool of two threads blocked in it would
/// stall every other resource's check. One thread syncs the files in the order they arrive
/// while the pool goes on checking. Per-file syncs, not `syncfs`: a file-system-wide flush would
/// also wait for everybody else's dirty data (a database beside us), which a configuration
/// agent must not do.
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
            let group = state.withLock { s -> [Waiter] in
                let g = s.waiting
                s.waiting = []
                if g.isEmpty { s.syncing = false }
                return g
            }
            if group.isEmpty { return }
            for w in group { w.done.resume(returning: fdatasync(w.fd) == 0 ? 0 : errno) }
        }
    }
}
