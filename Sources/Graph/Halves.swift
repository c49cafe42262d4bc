import Dispatch
import Synchronization

/// Runs `work` for parts 0..<count at once on the cooperative cores and returns the results in
/// part order (the halves of long lists, the parts of big outputs).
public func doneInParts<T>(_ count: Int, _ work: (Int) -> T) -> [T] {
    let parts = Mutex<[T?]>(Array(repeating: nil, count: count))
    withoutActuallyEscaping(work) { work in
        DispatchQueue.concurrentPerform(iterations: count) { k in
            let result = work(k)
            parts.withLock { $0[k] = result }
        }
    }
    return parts.withLock { $0.map { $0! } }
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
        DispatchQueue.global().async { [self] in
            value = work()
            done.leave()
        }
    }

    public func result() -> T {
        done.wait()
        return value!
    }
}
