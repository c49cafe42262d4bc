/// The mgmt resource graph: the one contract between `translate` (which writes it) and `run`
/// (which executes it). Its YAML form is mgmt's graph format (`graph`, `comment`, `resources` by
/// kind, `edges` with `notify`, `collect`), plus the documented extension fields of
/// docs/graph-format.md.
public struct Graph: Equatable, Sendable {
    public var name: String
    public var comment: String?
    public var resources: [Resource]
    public var edges: [Edge]
    public var collect: [Collect]

    public init(name: String, comment: String? = nil, resources: [Resource] = [], edges: [Edge] = [], collect: [Collect] = []) {
        self.name = name
        self.comment = comment
        self.resources = resources
        self.edges = edges
        self.collect = collect
    }

    /// Kinds, resources and edges in a fixed order, so the same graph always encodes to the
    /// same bytes.
    /// Order is by UTF-8 bytes (not locale), with sort keys built once per element.
    public func normalized() -> Graph {
        func sorted<T>(_ items: [T], _ key: (T) -> [String]) -> [T] {
            let keyed = items.map { item -> ([UInt8], T) in
                var k: [UInt8] = []
                for part in key(item) { k += part.utf8; k.append(0) }
                return (k, item)
            }
            return keyed.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
        }
        var g = self
        g.resources = sorted(resources) { [$0.kind, $0.name] }
        g.edges = sorted(edges) { [$0.from.kind, $0.from.name, $0.to.kind, $0.to.name] }
        g.collect = sorted(collect) { [$0.kind, $0.pattern] }
        return g
    }
}

/// One vertex: a kind (`file`, `pkg`, `svc`, `exec`, `msg`, `noop`), a unique name within the
/// kind (`@@` prefix: exported), kind-specific parameters and metaparameters.
public struct Resource: Equatable, Sendable {
    public var kind: String
    public var name: String
    /// Parameters in the order they are written (the encoder sorts them).
    public var params: [String: GraphValue]
    public var meta: Meta?
    /// Where the decoder read it (the resource, and each parameter's key), for the engine's
    /// errors. Not part of equality: the same resource read from another place is the same.
    public var position: Position?
    public var paramPositions: [String: Position] = [:]

    public static func == (a: Resource, b: Resource) -> Bool {
        a.kind == b.kind && a.name == b.name && a.params == b.params && a.meta == b.meta
    }

    public init(kind: String, name: String, params: [String: GraphValue] = [:], meta: Meta? = nil) {
        self.kind = kind
        self.name = name
        self.params = params
        self.meta = meta
    }

    public var isExported: Bool { name.hasPrefix("@@") }
    public var ref: Ref { Ref(kind: kind, name: name) }
}

/// A 1-based line and column in a graph file.
public struct Position: Equatable, Hashable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

public struct Ref: Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var name: String
    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }
    /// mgmt's way of naming a vertex in logs: `File[/etc/motd]`.
    public var description: String { kind.prefix(1).uppercased() + kind.dropFirst() + "[" + name + "]" }
}

public struct Edge: Equatable, Hashable, Sendable {
    public var name: String
    public var from: Ref
    public var to: Ref
    /// A change of `from` refreshes `to` (Puppet's notify/subscribe/~>).
    public var notify: Bool

    public init(name: String, from: Ref, to: Ref, notify: Bool = false) {
        self.name = name
        self.from = from
        self.to = to
        self.notify = notify
    }
}

/// Which exported resources to collect (`pattern` rewrites the directory of collected files).
public struct Collect: Equatable, Sendable {
    public var kind: String
    public var pattern: String
    public init(kind: String, pattern: String) {
        self.kind = kind
        self.pattern = pattern
    }
}

/// Per-resource metaparameters (mgmt's `meta:`; mgmt ignores them in YAML, we honour them).
public struct Meta: Equatable, Sendable {
    public var noop: Bool?
    public var retry: Int?
    public var delay: Int?
    public var poll: Int?
    public var limit: Double?
    public var burst: Int?
    public var sema: [String]?
    public var autoedge: Bool?
    public var timeout: Int?

    public init(noop: Bool? = nil, retry: Int? = nil, delay: Int? = nil, poll: Int? = nil, limit: Double? = nil,
                burst: Int? = nil, sema: [String]? = nil, autoedge: Bool? = nil, timeout: Int? = nil) {
        self.noop = noop
        self.retry = retry
        self.delay = delay
        self.poll = poll
        self.limit = limit
        self.burst = burst
        self.sema = sema
        self.autoedge = autoedge
        self.timeout = timeout
    }

    public var isEmpty: Bool { self == Meta() }

    static let keys: Set<String> = ["noop", "retry", "delay", "poll", "limit", "burst", "sema", "autoedge", "timeout"]
}

/// A parameter value: what YAML scalars, lists and maps can hold.
public indirect enum GraphValue: Equatable, Hashable, Sendable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case list([GraphValue])
    case map([String: GraphValue])

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var boolValue: Bool? { if case let .bool(b) = self { return b }; return nil }
    public var intValue: Int? { if case let .int(i) = self { return i }; return nil }
}
