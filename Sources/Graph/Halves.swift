import Dispatch
import Synchronization

/// Writes the two halves of `items` at once (the two cores of the machines this runs on) and
/// returns their bytes in order — for the long lists of big outputs: the YAML encoder's edges,
/// the catalog JSON's resources. `write` gets a half and whether it is the second one.
public func writtenInHalves<T>(_ items: [T], _ write: (ArraySlice<T>, _ second: Bool) -> [UInt8]) -> [UInt8] {
    let half = items.count / 2
    let parts = writtenInParts(2) { k in write(k == 0 ? items[..<half] : items[half...], k == 1) }
    return parts[0] + parts[1]
}

/// Runs `write` for parts 0..<count at once on the cooperative cores and returns their bytes in
/// part order (the catalog JSON's resource halves, containment and relationships).
public func writtenInParts(_ count: Int, _ write: (Int) -> [UInt8]) -> [[UInt8]] {
    doneInParts(count, write)
}

/// Runs `work` for parts 0..<count at once on the cooperative cores and returns the results in
/// part order.
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
