#if canImport(Glibc)
import Glibc
#endif

/// Orders strings by their UTF-8 bytes — the order the graph codec promises (not the locale's,
/// and not Swift's `<`, which compares Unicode-normalised scalars) — without copying them.
/// Returns <0, 0 or >0 like memcmp.
@inlinable
public func utf8Compare(_ a: String, _ b: String) -> Int {
    // Native strings are contiguous UTF-8 (small ones are copied to the stack): no allocation.
    let r = a.utf8.withContiguousStorageIfAvailable { pa in
        b.utf8.withContiguousStorageIfAvailable { pb -> Int in
            let n = min(pa.count, pb.count)
            if n > 0 {
                let c = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                if c != 0 { return Int(c) }
            }
            return pa.count - pb.count
        }
    }
    if let r, let r { return r }
    return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (a.utf8.elementsEqual(b.utf8) ? 0 : 1)
}

/// `utf8Compare(a, b) < 0`.
@inlinable
public func utf8Less(_ a: String, _ b: String) -> Bool { utf8Compare(a, b) < 0 }

/// The indices `0..<count` ordered by each index's key parts compared as UTF-8 bytes, part by
/// part (a shorter part first) — stable, so equal keys keep their order. The keys are packed
/// into one buffer first: comparing then touches no strings and no reference counts, which
/// makes sorting 10k graph vertices or relationships several times faster than comparing
/// `String`s.
public func indicesSortedByUTF8(count: Int, parts: Int, _ key: (Int, Int) -> String) -> [Int] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * parts * 24)
    // bounds[i * (parts + 1) + p] is where part p of key i starts; the last entry ends key i.
    var bounds = [Int](repeating: 0, count: count * (parts + 1))
    for i in 0..<count {
        for p in 0..<parts {
            bounds[i * (parts + 1) + p] = bytes.count
            var s = key(i, p)
            s.withUTF8 { bytes.append(contentsOf: $0) }
        }
        bounds[i * (parts + 1) + parts] = bytes.count
    }
    var order = Array(0..<count)
    bytes.withUnsafeBufferPointer { buf in
        bounds.withUnsafeBufferPointer { b in
            let base = buf.baseAddress ?? UnsafePointer(bitPattern: 1)!
            order.sort { x, y in
                for p in 0..<parts {
                    let xs = b[x * (parts + 1) + p], xe = b[x * (parts + 1) + p + 1]
                    let ys = b[y * (parts + 1) + p], ye = b[y * (parts + 1) + p + 1]
                    let n = min(xe - xs, ye - ys)
                    if n > 0 {
                        let c = memcmp(base + xs, base + ys, n)
                        if c != 0 { return c < 0 }
                    }
                    if xe - xs != ye - ys { return xe - xs < ye - ys }
                }
                return x < y
            }
        }
    }
    return order
}
