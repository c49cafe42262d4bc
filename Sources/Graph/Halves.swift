import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs `work` for parts 0..<count at once and returns the results in part order (the halves
/// of long lists, the parts of big outputs): part 0 on this thread, each other part on a
/// thread of its own. (Not `DispatchQueue.concurrentPerform`: dispatch's pool on Linux starts
/// no worker beyond one per core, and the compile and a background job already hold both, so
/// the parts ran one after another on the calling thread.)
public func doneInParts<T>(_ count: Int, _ work: (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(work) }
    let parts = Mutex<[T?]>(Array(repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        // (Every thread is joined, and so has let go of `work`, before this block ends.)
        nonisolated(unsafe) let shared = work
        let threads = (1..<count).map { k in
            startThread(stackSize: 8 << 20, joinable: true) {
                let result = shared(k)
                parts.withLock { $0[k] = result }
            }
        }
        let first = work(0)
        parts.withLock { $0[0] = first }
        for t in threads { pthread_join(t, nil) }
    }
    return parts.withLock { $0.map { $0! } }
}

/// Runs `body` on a new detached OS thread: blocking calls (read, waitpid) go there, never
/// on the cooperative pool (on a 2-core machine two blocked pool threads would stall every
/// task), and so does CPU work that must run beside the compile (`doneInParts`, with the
/// 8 MiB stack of a main thread for the writers' recursion over nested values).
public func detachThread(stackSize: Int = 256 << 10, _ body: @escaping @Sendable () -> Void) {
    _ = startThread(stackSize: stackSize, joinable: false, body)
}

/// Run first on every thread `startThread` makes, before its first allocation: a one-shot
/// command marks each new thread's malloc arena for huge pages here (tuneAllocatorForBatch).
/// Set once, before any thread is made.
public nonisolated(unsafe) var threadSetup: (@Sendable () -> Void)?

/// Run on every new thread's attributes before `pthread_create` (a one-shot command starts
/// threads on another CPU than their creator's: csys_thread_attr_elsewhere). Set once, before
/// any thread is made.
public nonisolated(unsafe) var threadAttributes: ((UnsafeMutablePointer<pthread_attr_t>) -> Void)?

/// A new OS thread running `body`; a joinable one must be joined (`pthread_join`).
func startThread(stackSize: Int, joinable: Bool, _ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    pthread_attr_setdetachstate(&attr, Int32(joinable ? PTHREAD_CREATE_JOINABLE : PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attr, stackSize)
    threadAttributes?(&attr)
    let rc = pthread_create(&thread, &attr, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        threadSetup?()
        box.body()
        return nil
    }, box)
    pthread_attr_destroy(&attr)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    return thread
}

/// `(first(), second())`, the two at once when `together` (two independent pieces of work on
/// the two cores: a graph's resources and its edges, say).
public func bothDone<A, B>(together: Bool = true, _ first: () -> A, _ second: () -> B) -> (A, B) {
    guard together else { return (first(), second()) }
    let parts = doneInParts(2) { k -> (A?, B?) in k == 0 ? (first(), nil) : (nil, second()) }
    return (parts[0].0!, parts[1].1!)
}

/// A value made on another thread from the moment this is created; `result()` waits for it
/// (as often as asked). For work that can start before its result is needed: the catalog's
/// JSON and mapping while the compiler still checks the relationships.
public final class BackgroundWork<T>: @unchecked Sendable {
    /// Written by the job before it leaves `done`, read only after waiting for it.
    private var value: T?
    private let done = DispatchGroup()

    public init(_ work: @escaping () -> T) {
        done.enter()
        nonisolated(unsafe) let work = work
        detachThread(stackSize: 8 << 20) { [self] in
            value = work()
            done.leave()
        }
    }

    public func result() -> T {
        done.wait()
        return value!
    }
}
