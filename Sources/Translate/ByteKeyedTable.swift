import Graph
#if canImport(Glibc)
import Glibc
#endif

/// A table keyed by strings' UTF-8 bytes: open addressing, FNV-1a. What the compiler looks up
/// for every resource — its reference in the catalog (`Type[title]`, and a file's alternate
/// path key), the target of every relationship, each attribute name among those its type
/// accepts — costs a fraction of a `Dictionary`'s or `Set`'s lookup, which hashes with SipHash
/// and compares keys as Unicode. (Puppet compares titles as bytes too: two spellings of one
/// accented letter are two resources there as here.)
struct ByteKeyedTable<Value> {
    /// Slot → entry + 1 (0: empty). A power of two, at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 16)
    private var keys: [String] = []
    private var hashes: [UInt64] = []
    private var values: [Value] = []

    var count: Int { keys.count }

    init() {}

    init<S: Sequence>(_ keys: S, _ value: Value) where S.Element == String {
        for k in keys { self[k] = value }
    }

    func contains(_ key: String) -> Bool { self[key] != nil }

    mutating func reserveCapacity(_ n: Int) {
        keys.reserveCapacity(n)
        hashes.reserveCapacity(n)
        values.reserveCapacity(n)
        if 2 * n > slots.count { rehash(capacity: n) }
    }

    subscript(key: String) -> Value? {
        get {
            withUTF8Bytes(of: key) { bytes in
                let h = ByteKeyedTable.hash(bytes)
                return find(h, bytes).map { values[$0] }
            }
        }
        set {
            guard let newValue else { preconditionFailure("keys are never removed") }
            withUTF8Bytes(of: key) { bytes in
                let h = ByteKeyedTable.hash(bytes)
                if let e = find(h, bytes) {
                    values[e] = newValue
                    return
                }
                keys.append(key)
                hashes.append(h)
                values.append(newValue)
                if 2 * keys.count > slots.count {
                    rehash(capacity: keys.count)
                } else {
                    place(keys.count - 1, h)
                }
            }
        }
    }

    /// The value under `type[title]`, found without making that string (the key of every
    /// relationship's target), and the key it is under: the string the catalog holds.
    func value(type: String, title: String) -> (key: String, value: Value)? {
        withUTF8Bytes(of: type) { t in
            withUTF8Bytes(of: title) { n in
                var h = ByteKeyedTable.hashStart
                h = ByteKeyedTable.hash(t, from: h)
                h = (h ^ UInt64(UInt8(ascii: "["))) &* ByteKeyedTable.prime
                h = ByteKeyedTable.hash(n, from: h)
                h = (h ^ UInt64(UInt8(ascii: "]"))) &* ByteKeyedTable.prime
                let found = find(ByteKeyedTable.mixed(h)) { key in
                    guard key.count == t.count + n.count + 2, let k = key.baseAddress else { return false }
                    return k[t.count] == UInt8(ascii: "[") && k[key.count - 1] == UInt8(ascii: "]")
                        && (t.isEmpty || memcmp(k, t.baseAddress!, t.count) == 0)
                        && (n.isEmpty || memcmp(k + t.count + 1, n.baseAddress!, n.count) == 0)
                }
                return found.map { (keys[$0], values[$0]) }
            }
        }
    }

    /// The entry with these bytes.
    private func find(_ h: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        find(h) { ByteKeyedTable.equal($0, bytes) }
    }

    /// The entry of hash `h` whose key's bytes `matches` accepts.
    private func find(_ h: UInt64, _ matches: (UnsafeBufferPointer<UInt8>) -> Bool) -> Int? {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s]) - 1
            if e < 0 { return nil }
            if hashes[e] == h, withUTF8Bytes(of: keys[e], matches) { return e }
            s = (s + 1) & mask
        }
    }

    private mutating func place(_ e: Int, _ h: UInt64) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        slots[s] = Int32(e + 1)
    }

    /// Room for `capacity` entries at most half full.
    private mutating func rehash(capacity: Int) {
        var size = 16
        while size < 2 * capacity + 2 { size *= 2 }
        slots = Array(repeating: 0, count: size)
        for e in hashes.indices { place(e, hashes[e]) }
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    /// FNV-1a over the bytes, then a final mix so that the low bits (the slot) depend on all
    /// of them: references differ in a few bytes near their end.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        mixed(hash(bytes, from: hashStart))
    }

    static var hashStart: UInt64 { 0xCBF2_9CE4_8422_2325 }
    static var prime: UInt64 { 0x0000_0100_0000_01B3 }

    /// FNV-1a over more bytes (a key hashed in pieces hashes as the whole).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, from start: UInt64) -> UInt64 {
        var h = start
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    @inline(__always)
    static func mixed(_ fnv: UInt64) -> UInt64 {
        var h = fnv
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}
