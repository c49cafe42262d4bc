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
    /// Where each edge's two ends are in `resources`, when whoever built the graph knows (the
    /// mapper does): the encoder then copies each end's YAML, made once per resource, instead
    /// of quoting four strings an edge. Only a hint, not part of the graph: the encoder checks
    /// every end against the edge before it uses it, so a stale one costs speed, not bytes.
    public var edgeEndsHint: [EdgeEnds]?

    /// The YAML of `resources`, begun on another thread before the edges were made (translate
    /// starts it once the mapper has the resource list): the encoder uses it when it is of this
    /// very list. A hint as `edgeEndsHint` is, not part of the graph.
    public var resourcesYAMLHint: ResourcesYAML?

    public struct EdgeEnds: Sendable {
        public var from: Int32, to: Int32
        public init(from: Int, to: Int) { (self.from, self.to) = (Int32(truncatingIfNeeded: from), Int32(truncatingIfNeeded: to)) }
    }

    public static func == (a: Graph, b: Graph) -> Bool {
        a.name == b.name && a.comment == b.comment && a.resources == b.resources && a.edges == b.edges && a.collect == b.collect
    }

    public init(name: String, comment: String? = nil, resources: [Resource] = [], edges: [Edge] = [], collect: [Collect] = []) {
        self.name = name
        self.comment = comment
        self.resources = resources
        self.edges = edges
        self.collect = collect
    }

    /// Kinds, resources and edges in a fixed order, so the same graph always encodes to the
    /// same bytes. Order is by UTF-8 bytes (not locale); a graph already in order (what the
    /// mapper builds) is only checked.
    /// `halvesFrom`: a graph with this many edges has its resources and edges checked at once.
    /// `resourcesAndEdgesInOrder`: the caller knows they are (`Mapper.map` builds them so; its
    /// tests check it), and only the short collect list is put in order.
    public func normalized(halvesFrom: Int = 4096, resourcesAndEdgesInOrder: Bool = false) -> Graph {
        func sortedIfNeeded<T>(_ items: [T], _ less: (T, T) -> Bool) -> [T] {
            var inOrder = true
            for i in items.indices.dropFirst() where less(items[i], items[i - 1]) {
                inOrder = false
                break
            }
            return inOrder ? items : items.sorted(by: less)
        }
        var g = self
        if !resourcesAndEdgesInOrder {
            (g.resources, g.edges) = bothDone(together: edges.count >= halvesFrom,
                                              { sortedIfNeeded(resources, Resource.codecOrder) }, { sortedIfNeeded(edges, Edge.codecOrder) })
        }
        g.collect = sortedIfNeeded(collect) { a, b in
            let k = utf8Compare(a.kind, b.kind)
            return k != 0 ? k < 0 : utf8Less(a.pattern, b.pattern)
        }
        return g
    }
}

extension Ref {
    /// By kind, then name, in UTF-8 byte order.
    public static func codecCompare(_ a: Ref, _ b: Ref) -> Int {
        let k = utf8Compare(a.kind, b.kind)
        return k != 0 ? k : utf8Compare(a.name, b.name)
    }
}

extension Resource {
    /// The codec's order: by kind, then name.
    public static func codecOrder(_ a: Resource, _ b: Resource) -> Bool {
        let k = utf8Compare(a.kind, b.kind)
        return k != 0 ? k < 0 : utf8Less(a.name, b.name)
    }
}

extension Edge {
    /// The codec's order: by source, then target.
    public static func codecOrder(_ a: Edge, _ b: Edge) -> Bool {
        let f = Ref.codecCompare(a.from, b.from)
        return f != 0 ? f < 0 : Ref.codecCompare(a.to, b.to) < 0
    }
}

/// One vertex: a kind (`file`, `pkg`, `svc`, `exec`, `msg`, `noop`), a unique name within the
/// kind (`@@` prefix: exported), kind-specific parameters and metaparameters.
public struct Resource: Equatable, Sendable {
    public var kind: String
    public var name: String
    /// Parameters in the order they were set (the encoder sorts them).
    public var params: ParamList<GraphValue>
    /// What few resources have (metaparameters; where the decoder read it), behind one
    /// reference: inline, they made a Resource 192 bytes, and the mapper and encoder copy
    /// lists of thousands of them; boxed, 48.
    private var extras: Extras?

    public var meta: Meta? {
        get { extras?.meta }
        set { updateExtras { $0.meta = newValue } }
    }
    /// Where the decoder read it (the resource, and each parameter's key), for the engine's
    /// errors. Not part of equality: the same resource read from another place is the same.
    public var position: Position? {
        get { extras?.position }
        set { updateExtras { $0.position = newValue } }
    }
    public var paramPositions: [String: Position] {
        get { extras?.paramPositions ?? [:] }
        set { updateExtras { $0.paramPositions = newValue } }
    }

    public static func == (a: Resource, b: Resource) -> Bool {
        a.kind == b.kind && a.name == b.name && a.params == b.params && a.meta == b.meta
    }

    public init(kind: String, name: String, params: ParamList<GraphValue> = [:], meta: Meta? = nil) {
        self.kind = kind
        self.name = name
        self.params = params
        if let meta { extras = Extras(meta: meta) }
    }

    public var isExported: Bool { name.hasPrefix("@@") }
    public var ref: Ref { Ref(kind: kind, name: name) }

    /// Copy on write, as a stored value would behave (a copied resource shares the box until
    /// one of them changes it); an emptied box is dropped.
    private mutating func updateExtras(_ change: (Extras) -> Void) {
        if extras == nil {
            extras = Extras()
        } else if !isKnownUniquelyReferenced(&extras) {
            extras = extras!.copy()
        }
        change(extras!)
        if extras!.isEmpty { extras = nil }
    }

    /// Mutated only through `updateExtras`, when uniquely referenced (hence `@unchecked`).
    private final class Extras: @unchecked Sendable {
        var meta: Meta?
        var position: Position?
        var paramPositions: [String: Position] = [:]
        init(meta: Meta? = nil) { self.meta = meta }
        func copy() -> Extras {
            let c = Extras(meta: meta)
            c.position = position
            c.paramPositions = paramPositions
            return c
        }
        var isEmpty: Bool { meta == nil && position == nil && paramPositions.isEmpty }
    }
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
    public var description: String {
        guard let f = kind.utf8.first, f >= UInt8(ascii: "a"), f <= UInt8(ascii: "z") else {
            return kind.prefix(1).uppercased() + kind.dropFirst() + "[" + name + "]"
        }
        // The usual case (every kind is lowercase ASCII): the bytes copied once, the first
        // one capitalised, no Unicode case mapping.
        let (k, n) = (kind.utf8.count, name.utf8.count)
        return String(unsafeUninitializedCapacity: k + n + 2) { out in
            var i = 0
            for b in kind.utf8 { out[i] = b; i += 1 }
            out[0] = f - 0x20
            out[i] = UInt8(ascii: "["); i += 1
            for b in name.utf8 { out[i] = b; i += 1 }
            out[i] = UInt8(ascii: "]")
            return k + n + 2
        }
    }
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

    /// `e<n>`, the name of the n-th edge where none is given (a small string made in place:
    /// no allocation, no formatting — the mapper names every edge).
    public static func defaultName(_ n: Int) -> String {
        precondition(n >= 0)
        var digits = 1, rest = n
        while rest >= 10 { digits += 1; rest /= 10 }
        return String(unsafeUninitializedCapacity: digits + 1) { out in
            out[0] = UInt8(ascii: "e")
            var v = n
            for i in stride(from: digits, through: 1, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            return digits + 1
        }
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
public enum GraphValue: Equatable, Hashable, Sendable {
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
