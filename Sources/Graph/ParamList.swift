/// A resource's parameters: a handful of names with values, kept in the order they were first
/// set and found by a linear scan. A resource has two to ten of them; a `Dictionary` per
/// resource cost more to make, fill and hash than comparing a few short strings does (on the
/// 10k compile its storage alone was a tenth of the evaluator's instructions), and it needs a
/// second list to remember the order. Equality ignores the order, as a dictionary's does.
/// Keys are compared with `sameName`: two Unicode-equivalent spellings of different lengths
/// are two keys, as Puppet and mgmt (which compare names as bytes) have them.
public struct ParamList<Value> {
    public typealias Element = (key: String, value: Value)

    /// The entries in the order their keys were first set (an update keeps the place).
    @inlinable public var entries: [Element] { storage }
    @usableFromInline var storage: [Element] = []

    @inlinable public init() {}

    @inlinable
    public init<S: Sequence>(uniqueKeysWithValues pairs: S) where S.Element == (String, Value) {
        for (k, v) in pairs { precondition(updateValue(v, forKey: k) == nil, "duplicate key '\(k)'") }
    }

    @inlinable
    public var count: Int { entries.count }
    @inlinable
    public var isEmpty: Bool { entries.isEmpty }
    /// The keys in the order they were set.
    @inlinable
    public var keys: [String] { entries.map(\.key) }

    @inlinable
    public func index(forKey key: String) -> Int? {
        entries.firstIndex { sameName($0.key, key) }
    }

    /// Setting nil removes the key.
    @inlinable
    public subscript(key: String) -> Value? {
        get { index(forKey: key).map { entries[$0].value } }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// The value it replaced (nil: the key is new and goes last).
    @inlinable @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: String) -> Value? {
        if let i = index(forKey: key) {
            let old = entries[i].value
            storage[i].value = value
            return old
        }
        // Room for a few at once (growing one at a time would allocate for each of the first).
        if storage.capacity == 0 { storage.reserveCapacity(4) }
        storage.append((key, value))
        return nil
    }

    /// Appends a key the caller knows is not set yet, without looking for it (a builder that
    /// sets each of a few distinct keys once). Checked in debug builds.
    @inlinable
    public mutating func appendNew(_ key: String, _ value: Value) {
        assert(index(forKey: key) == nil, "duplicate key '\(key)'")
        if storage.capacity == 0 { storage.reserveCapacity(4) }
        storage.append((key, value))
    }

    @inlinable @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        guard let i = index(forKey: key) else { return nil }
        return storage.remove(at: i).value
    }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }

    /// `body` with the entries' places sorted by key as UTF-8 bytes, in a buffer on the stack
    /// (the JSON and YAML writers put every resource's parameters in order; an insertion sort of
    /// a handful costs less than a general sort's set-up).
    @inlinable
    public func withPlacesSortedByKey<R>(_ body: (UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: entries.count) { order in
            for n in entries.indices {
                order.initializeElement(at: n, to: n)
                var j = n
                while j > 0, utf8Compare(entries[order[j - 1]].key, entries[order[j]].key) > 0 {
                    order.swapAt(j - 1, j)
                    j -= 1
                }
            }
            return try body(UnsafeBufferPointer(order))
        }
    }
}

extension ParamList: Sequence {
    @inlinable
    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }
    @inlinable
    public var underestimatedCount: Int { entries.count }
}

extension ParamList: ExpressibleByDictionaryLiteral {
    @inlinable
    public init(dictionaryLiteral elements: (String, Value)...) { self.init(uniqueKeysWithValues: elements) }
}

extension ParamList: Equatable where Value: Equatable {
    @inlinable
    public static func == (a: ParamList, b: ParamList) -> Bool {
        guard a.count == b.count else { return false }
        return a.entries.allSatisfy { e in b[e.key] == e.value }
    }
}

extension ParamList: Sendable where Value: Sendable {}

extension ParamList {
    /// The entries as a dictionary.
    @inlinable
    public var dictionary: [String: Value] { Dictionary(entries, uniquingKeysWith: { a, _ in a }) }
}

/// Whether two strings are held in the same two words: then they are the same string (a short
/// one held inline, or one storage). Different words may still spell the same string: for the
/// callers, who keep both strings alive while they compare (so no storage is reused meanwhile),
/// that is only a miss. Much cheaper than `==` for the unequal ones.
@inlinable public func sameWords(_ a: String, _ b: String) -> Bool {
    unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self)
}

/// The sorted places of the last few key sequences a writer met. Resources of one type mostly
/// have the same keys, set in the same order (the mapper sets each kind's so; generated and
/// real manifests write a type's attributes alike), and finding the keys to be the very strings
/// of a sequence seen before costs less than sorting them again.
public struct SortedKeyOrders {
    /// Kept, so that no other string can take the place of one of them while it is compared.
    @usableFromInline var keys: [[String]] = []
    @usableFromInline var orders: [[Int]] = []
    @usableFromInline var next = 0
    static let kept = 8

    public init() {}

    /// `body` with the places of `params`' entries sorted by key (ParamList.withPlacesSortedByKey).
    @inlinable
    public mutating func withPlacesSortedByKey<V, R>(_ params: ParamList<V>, _ body: (UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        if let known = lookUp(params) { return try orders[known].withUnsafeBufferPointer(body) }
        let order = params.withPlacesSortedByKey { Array($0) }
        remember(params.entries.map(\.key), order)
        return try order.withUnsafeBufferPointer(body)
    }

    @inlinable func lookUp<V>(_ params: ParamList<V>) -> Int? {
        params.storage.withUnsafeBufferPointer { entries -> Int? in
            for s in keys.indices {
                let same = keys[s].withUnsafeBufferPointer { shape -> Bool in
                    guard shape.count == entries.count else { return false }
                    for i in entries.indices where !sameWords(shape[i], entries[i].key) { return false }
                    return true
                }
                if same { return s }
            }
            return nil
        }
    }

    @usableFromInline mutating func remember(_ shape: [String], _ order: [Int]) {
        if keys.count < Self.kept {
            keys.append(shape)
            orders.append(order)
        } else {
            (keys[next], orders[next]) = (shape, order)
            next = (next + 1) % Self.kept
        }
    }
}
