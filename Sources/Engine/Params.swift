import Graph

/// Reads one resource's parameters with types, then rejects any it did not read: mgmt's YAML
/// decoding ignores unknown keys, we name them with their position.
struct Params {
    let resource: Resource
    /// The resource's parameters as a list: a resource has a handful, and comparing short
    /// keys beats hashing each asked key (10k resources ask ~14 keys each).
    private let entries: [(key: String, value: GraphValue)]
    /// The keys asked for.
    private var read: [String] = []

    init(_ resource: Resource) {
        self.resource = resource
        entries = resource.params.map { ($0.key, $0.value) }
        read.reserveCapacity(16)
    }

    func error(_ key: String?, _ message: String) -> ResourceError {
        ResourceError(message: "\(resource.ref): \(message)",
                      position: key.flatMap { resource.paramPositions[$0] } ?? resource.position)
    }

    mutating func value(_ key: String) -> GraphValue? {
        read.append(key)
        return entries.first { $0.key == key }?.value
    }

    mutating func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .string(s): return s
        case let .int(i): return String(i)
        case let .float(f): return String(f)
        default: throw error(key, "'\(key)' must be a string")
        }
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case let .bool(b) = v else { throw error(key, "'\(key)' must be true or false") }
        return b
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        if case let .int(i) = v { return i }
        if case let .string(s) = v, let i = Int(s) { return i }
        throw error(key, "'\(key)' must be an integer")
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .string(s): return [s]
        case let .list(items):
            return try items.map {
                guard case let .string(s) = $0 else { throw error(key, "'\(key)' must be a list of strings") }
                return s
            }
        default: throw error(key, "'\(key)' must be a list of strings")
        }
    }

    mutating func ints(_ key: String) throws -> [Int]? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .int(i): return [i]
        case let .list(items):
            return try items.map {
                guard case let .int(i) = $0 else { throw error(key, "'\(key)' must be a list of integers") }
                return i
            }
        default: throw error(key, "'\(key)' must be a list of integers")
        }
    }

    mutating func stringMap(_ key: String) throws -> [String: String]? {
        guard let v = value(key) else { return nil }
        guard case let .map(m) = v else { throw error(key, "'\(key)' must be a mapping of strings") }
        return try m.mapValues {
            switch $0 {
            case let .string(s): return s
            case let .int(i): return String(i)
            case let .bool(b): return String(b)
            default: throw error(key, "'\(key)' must be a mapping of strings")
            }
        }
    }

    /// Every parameter must have been read.
    func finish() throws {
        if entries.allSatisfy({ $0.key == "name" || read.contains($0.key) }) { return }
        let known = Set(read).subtracting(["name"])
        let unknown = resource.params.keys.filter { $0 != "name" && !known.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let knownList = known.sorted().joined(separator: ", ")
        throw error(first, "unknown parameter '\(first)' for \(resource.kind) (it takes: \(knownList))")
    }
}
