#if canImport(Glibc)
import Glibc
#endif

/// Orders strings by their UTF-8 bytes — the order the graph codec promises (not the locale's,
/// and not Swift's `<`, which compares Unicode-normalised scalars) — without copying them.
/// Returns <0, 0 or >0 like memcmp.
@inlinable
public func utf8Compare(_ a: String, _ b: String) -> Int {
    var a = a, b = b
    return a.withUTF8 { pa in
        b.withUTF8 { pb in
            let n = min(pa.count, pb.count)
            if n > 0 {
                let c = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                if c != 0 { return Int(c) }
            }
            return pa.count - pb.count
        }
    }
}

/// `utf8Compare(a, b) < 0`.
@inlinable
public func utf8Less(_ a: String, _ b: String) -> Bool { utf8Compare(a, b) < 0 }
