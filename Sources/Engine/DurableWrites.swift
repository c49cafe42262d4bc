import Graph
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Makes written temp files durable before they are renamed into place, off the task pool: an
/// fdatasync costs 0.15–0.3 ms on this kind of disk, and a pool of two threads blocked in it
/// would stall every other resource's check. Up to `maxThreads` threads sync the files in the
/// order they arrive while the pool goes on checking, because the disk takes concurrent syncs
/// together: 10k new files, each written and fdatasync'ed from C, took 1.45 s from one thread,
/// 0.91 s from 2, 0.64 s from 8 and 0.53 s from 16 on this machine kind; in `run`, where the
/// two cores also check and write, 10k first-converged files took 1.38 s with one thread,
/// 0.8–1.0 s with 4 to 8 and 1.1 s with 16 or 32. Per-file syncs, not `syncfs`: a
/// file-system-wide flush would also wait for everybody else's dirty data (a database beside
/// us), which a configuration agent must not do.
final class DurableWrites: Sendable {
    static let shared = DurableWrites()

    let maxThreads: Int

    init(maxThreads: Int = 8) { self.maxThreads = maxThreads }

    struct Waiter {
        let fd: Int32
        let done: CheckedContinuation<Int32, Never>
    }

    /// The files waiting (a queue: `next` is the first not yet taken) and the threads syncing.
    struct State {
        var waiting: [Waiter] = []
        var next = 0
        var threads = 0
    }

    let state = Mutex(State())

    /// Returns 0 once the data written to `fd` is durable, or an errno.
    func sync(_ fd: Int32) async -> Int32 {
        await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let start = state.withLock { s -> Bool in
                s.waiting.append(Waiter(fd: fd, done: c))
                // One more thread while files wait that no thread will take soon.
                guard s.threads < maxThreads, s.waiting.count - s.next > s.threads else { return false }
                s.threads += 1
                return true
            }
            if start { detachThread { [self] in drain() } }
        }
    }

    /// One syncing thread: takes the first waiting file until none is left.
    func drain() {
        while let w = take() {
            w.done.resume(returning: fdatasync(w.fd) == 0 ? 0 : errno)
        }
    }

    func take() -> Waiter? {
        state.withLock { s -> Waiter? in
            guard s.next < s.waiting.count else {
                s.waiting.removeAll(keepingCapacity: true)
                s.next = 0
                s.threads -= 1
                return nil
            }
            defer { s.next += 1 }
            return s.waiting[s.next]
        }
    }
}
