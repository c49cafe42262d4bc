/// A growable byte buffer appended to through a raw pointer: what the YAML and JSON writers
/// fill. `[UInt8].append(contentsOf:)` costs ~200 instructions a call (uniqueness, capacity
/// and generic sequence checks), and a 10k-resource catalog's JSON makes ~10^6 appends; here
/// an append is a capacity check and a copy.
///
/// A class, so that copies of a writer share one buffer and nothing is copied by accident;
/// its memory is freed with it. Sendable as a hand-over (a part written on one thread is
/// joined on another), never written from two threads at once.
public final class ByteBuffer: @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var used = 0
    public var count: Int { used }

    public init(capacity: Int = 1 << 12) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Room for `n` more bytes without growing.
    public func reserve(_ n: Int) {
        if used + n > capacity { grow(n) }
    }

    @inlinable public func append(_ byte: UInt8) {
        if used == capacity { grow(1) }
        base[used] = byte
        used += 1
    }

    @inlinable public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if used + bytes.count > capacity { grow(bytes.count) }
        (base + used).update(from: source, count: bytes.count)
        used += bytes.count
    }

    @inlinable public func append(_ bytes: UnsafeRawBufferPointer) {
        append(bytes.bindMemory(to: UInt8.self))
    }

    @inlinable public func append(_ s: StaticString) {
        s.withUTF8Buffer { append($0) }
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    public func append(_ other: ByteBuffer) {
        append(UnsafeBufferPointer(start: other.base, count: other.count))
    }

    /// A string's UTF-8 bytes (copied from its storage, no intermediate array).
    @inlinable public func append(_ s: String) {
        withUTF8Bytes(of: s) { append($0) }
    }

    /// A string's bytes as they go between the double quotes of a JSON or YAML scalar:
    /// copied whole when none needs an escape, else escaped as `YAMLEncoder.quote` escapes
    /// (DEL too, whenever the string is escaped; a DEL alone is escaped only with `escapingDEL`).
    /// Decided for the whole string: parts appended one by one quote as their join does when all
    /// but one of them contain no byte that is ever escaped.
    public func appendEscapedBody(_ s: String, escapingDEL: Bool) {
        withUTF8Bytes(of: s) { bytes in
            if needsEscape(bytes, del: escapingDEL) {
                YAMLEncoder.appendEscaped(bytes, to: self)
            } else {
                append(bytes)
            }
        }
    }

    /// `n` copies of `byte` (indentation).
    public func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + used).initialize(repeating: byte, count: n)
        used += n
    }

    @usableFromInline @inline(never) func grow(_ n: Int) {
        let newCapacity = max(capacity * 2, used + n)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.initialize(from: base, count: used)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The bytes as an array (one copy).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// `body` with a string's UTF-8 bytes, read from its storage (a native string is not copied).
@inlinable public func withUTF8Bytes<R>(of s: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if let r = try s.utf8.withContiguousStorageIfAvailable(body) { return r }
    var s = s
    return try s.withUTF8(body)
}

/// Whether a string's bytes need escaping in a double-quoted JSON/YAML scalar: a control
/// character, `"` or `\` (and DEL when `del`). Eight bytes a step (the classic "has a byte less
/// than / equal to" word tests, exact for a yes/no answer), as most strings need none and every
/// string written is scanned.
@inlinable public func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>, del: Bool) -> Bool {
    guard let start = bytes.baseAddress else { return false }
    let raw = UnsafeRawPointer(start)
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
    @inline(__always) func bad(_ w: UInt64) -> Bool {
        (w &- ones &* 0x20) & ~w & highs != 0 || hasZero(w ^ (ones &* 0x22)) || hasZero(w ^ (ones &* 0x5C))
            || (del && hasZero(w ^ (ones &* 0x7F)))
    }
    let n = bytes.count
    guard n >= 8 else {
        // Four to seven bytes: two 4-byte loads that overlap, in one word.
        if n >= 4 {
            let lo = UInt64(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let hi = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            return bad(lo | hi << 32)
        }
        for i in 0..<n {
            let c = start[i]
            if c < 0x20 || c == 0x22 || c == 0x5C || (del && c == 0x7F) { return true }
        }
        return false
    }
    var i = 0
    while i + 8 <= n {
        if bad(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
        i += 8
    }
    // The last bytes in a word that overlaps the one before.
    return i < n && bad(raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
}
