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

/// `a == b` for strings of one UTF-8 length; strings of different lengths are different —
/// Unicode-equivalent spellings of different lengths too (é and e + ◌́), as in Puppet and mgmt,
/// which compare names as bytes. (Equivalent spellings of one length, such as two orders of the
/// same combining marks, are still one name here: a byte comparison, `utf8.elementsEqual`, made
/// a 10k translate 10 % slower.) What names and keys are compared with: `==` of two different
/// strings takes the standard library's slow path, ~100 instructions even for two short ASCII
/// names, and most comparisons in a lookup of a name among a few (an attribute among a
/// resource's, a type among the literal cases of a `switch`) are of names of other lengths.
@inlinable @inline(__always)
public func sameName(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && a == b
}

/// A name to `switch` over string literals with `sameName` (`switch Named(k) { case "ensure": … }`):
/// a `switch` over a `String` tries its cases with `==`, the slow path for every case that fails
/// (the same matches, faster).
public struct Named {
    public let name: String
    @inlinable public init(_ name: String) { self.name = name }
}

@inlinable @inline(__always)
public func ~= (pattern: String, value: Named) -> Bool { sameName(pattern, value.name) }

/// `utf8Compare(a, b) < 0`.
@inlinable
public func utf8Less(_ a: String, _ b: String) -> Bool { utf8Compare(a, b) < 0 }

/// The indices `0..<count` ordered by each index's key parts compared as UTF-8 bytes, part by
/// part (a shorter part first) — stable, so equal keys keep their order. The keys are packed
/// into one buffer first, then sorted eight bytes at a time (a most-significant-digit radix
/// sort whose digits are 8-byte integers): each run of keys that agree so far is sorted by its
/// next eight bytes as one integer, and a run whose next eight bytes are all alike is not
/// sorted at all — graph vertices and references share long prefixes (`File[/etc/`,
/// `/tmp/bench-root/f`), which a comparison sort would compare again and again.
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
    guard count > 1, parts > 0 else { return order }
    // One sort key per place in the run being sorted: the next eight bytes of the part
    // (big-endian, zero after its end), then how many bytes of the part were left (0...8, or 9:
    // more than eight — a part that ends sorts before a longer one with the same digit, which
    // it is a prefix of), then the index (ties: the original order).
    struct Digit: Comparable {
        var bytes: UInt64
        var restAndIndex: UInt64
        static func < (a: Digit, b: Digit) -> Bool {
            a.bytes != b.bytes ? a.bytes < b.bytes : a.restAndIndex < b.restAndIndex
        }
    }
    var digits = [Digit](repeating: Digit(bytes: 0, restAndIndex: 0), count: count)
    bytes.withUnsafeBufferPointer { buf in
    bounds.withUnsafeBufferPointer { b in
    digits.withUnsafeMutableBufferPointer { digits in
    order.withUnsafeMutableBufferPointer { order in
        let base = buf.baseAddress ?? UnsafePointer(bitPattern: 1)!
        func rest(_ d: Digit) -> UInt64 { d.restAndIndex >> 56 }
        // Runs still to sort: order[lo..<hi] agree on the parts before `part` and on the first
        // `offset` bytes of `part` (every one of them has that many).
        var runs: [(lo: Int, hi: Int, part: Int, offset: Int)] = [(0, count, 0, 0)]
        while let (lo, hi, part, offset) = runs.popLast() {
            var alike = true
            for k in lo..<hi {
                let i = order[k]
                let start = b[i * (parts + 1) + part] + offset, end = b[i * (parts + 1) + part + 1]
                let n = end - start
                var v: UInt64 = 0
                if n >= 8 {
                    v = UInt64(bigEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
                } else {
                    for j in 0..<8 { v = v << 8 | (j < n ? UInt64(base[start + j]) : 0) }
                }
                let d = Digit(bytes: v, restAndIndex: UInt64(min(n, 9)) << 56 | UInt64(i))
                digits[k] = d
                if alike, d.bytes != digits[lo].bytes || rest(d) != rest(digits[lo]) { alike = false }
            }
            if !alike {
                var run = UnsafeMutableBufferPointer(rebasing: digits[lo..<hi])
                run.sort()
                for k in lo..<hi { order[k] = Int(truncatingIfNeeded: digits[k].restAndIndex & (1 << 56 - 1)) }
            }
            // Each group of equal digits goes on: to the next eight bytes, or (the part ended)
            // to the next part; keys equal in every part stay in index order.
            var g = lo
            while g < hi {
                var e = g + 1
                while e < hi, digits[e].bytes == digits[g].bytes, rest(digits[e]) == rest(digits[g]) { e += 1 }
                if e - g > 1 {
                    if rest(digits[g]) == 9 {
                        runs.append((g, e, part, offset + 8))
                    } else if part + 1 < parts {
                        runs.append((g, e, part + 1, 0))
                    }
                }
                g = e
            }
        }
    }
    }
    }
    }
    return order
}

/// Sorts non-negative integers in ascending order by their bits, 11 a pass, as many passes as
/// the largest needs (least significant first): the mapper's edge keys, 30k of them in a 10k
/// translate, where `sort()`'s merges took ~0.7 ms of the compiler's thread. A short list,
/// or one with a negative number, is sorted with `sort()`.
public func sortNonNegative(_ keys: inout [Int]) {
    guard keys.count >= 256, let low = keys.min(), low >= 0, let high = keys.max() else { keys.sort(); return }
    let bits = 11, buckets = 1 << bits, mask = buckets - 1
    var passes = 0
    while passes * bits < Int.bitWidth - 1, high >> (passes * bits) > 0 { passes += 1 }
    var from = keys, to = [Int](repeating: 0, count: keys.count)
    var counts = [Int](repeating: 0, count: buckets)
    for pass in 0..<passes {
        let shift = pass * bits
        for i in counts.indices { counts[i] = 0 }
        for k in from { counts[(k >> shift) & mask] += 1 }
        var sum = 0
        for i in counts.indices { (counts[i], sum) = (sum, sum + counts[i]) }
        for k in from {
            let d = (k >> shift) & mask
            to[counts[d]] = k
            counts[d] += 1
        }
        swap(&from, &to)
    }
    keys = from
}
