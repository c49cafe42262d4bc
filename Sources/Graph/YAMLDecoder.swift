import Yams

/// An error in a graph file, at a line and column (1-based) of it.
public struct GraphError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public init(_ message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// `path:line:col: error: message` (the CLI adds the source line and a caret).
    public func rendered(path: String) -> String { "\(path):\(line):\(column): error: \(message)" }
    public var description: String { "\(line):\(column): error: \(message)" }
}

/// Reads mgmt YAML graphs strictly: unknown keys, wrong types, a missing graph name, duplicate
/// resources and edges to unknown resources are errors with positions (mgmt ignores them).
public enum YAMLDecoder {
    static let topKeys: Set<String> = ["graph", "comment", "resources", "edges", "collect"]

    public static func decode(_ text: String) throws -> Graph {
        try NestingGuard.check(text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw yamlError(e)
        }
        guard let root else { throw GraphError("empty document: a graph needs at least 'graph: NAME'", line: 1, column: 1) }
        let top = try mapping(root, "the document")
        var name: String?
        var comment: String?
        var resources: [Resource] = []
        var edges: [Edge] = []
        var collect: [Collect] = []
        var seenKeys = Set<String>()
        for (k, v) in top {
            let key = try scalarString(k, "a key")
            guard seenKeys.insert(key).inserted else { throw at(k, "duplicate key '\(key)'") }
            switch key {
            case "graph":
                name = try scalarString(v, "'graph'")
                if name!.isEmpty { throw at(v, "'graph' must name the graph") }
            case "comment": comment = try scalarString(v, "'comment'")
            case "resources": resources = try decodeResources(v)
            case "edges": edges = try decodeEdges(v)
            case "collect": collect = try decodeCollect(v)
            default:
                throw at(k, "unknown key '\(key)' (expected one of: \(topKeys.sorted().joined(separator: ", ")))")
            }
        }
        guard let name else { throw at(root, "missing 'graph' (the graph's name)") }
        // Edges must join resources of the graph.
        let refs = Set(resources.map(\.ref))
        for (e, node) in zip(edges, edgeNodes(top)) {
            for (end, label) in [(e.from, "from"), (e.to, "to")] where !refs.contains(end) {
                throw at(node, "edge '\(e.name)': '\(label)' resource \(end) is not in the graph")
            }
        }
        return Graph(name: name, comment: comment, resources: resources, edges: edges, collect: collect)
    }

    static func edgeNodes(_ top: [(Node, Node)]) -> [Node] {
        for (k, v) in top where k.string == "edges" {
            if case let .sequence(s) = v { return Array(s) }
        }
        return []
    }

    static func decodeResources(_ node: Node) throws -> [Resource] {
        if case let .scalar(s) = node, s.string.isEmpty || s.string == "{}" { return [] }
        var out: [Resource] = []
        var seen = Set<Ref>()
        for (k, v) in try mapping(node, "'resources'") {
            let kind = try scalarString(k, "a resource kind")
            guard case let .sequence(list) = v else { throw at(v, "resources of kind '\(kind)' must be a list") }
            for item in list {
                var name: String?
                var params: [String: GraphValue] = [:]
                var meta: Meta?
                var positions: [String: Position] = [:]
                for (pk, pv) in try mapping(item, "a resource") {
                    let key = try scalarString(pk, "a parameter name")
                    guard params[key] == nil, !(key == "name" && name != nil) else { throw at(pk, "duplicate key '\(key)'") }
                    positions[key] = position(pk)
                    switch key {
                    case "name": name = try scalarString(pv, "'name'")
                    case "meta": meta = try decodeMeta(pv)
                    default: params[key] = try value(pv)
                    }
                }
                guard let name, !name.isEmpty else { throw at(item, "a \(kind) resource needs a 'name'") }
                var r = Resource(kind: kind, name: name, params: params, meta: meta)
                r.position = position(item)
                r.paramPositions = positions
                guard seen.insert(r.ref).inserted else { throw at(item, "duplicate resource \(r.ref)") }
                out.append(r)
            }
        }
        return out
    }

    static func decodeMeta(_ node: Node) throws -> Meta {
        var m = Meta()
        for (k, v) in try mapping(node, "'meta'") {
            let key = try scalarString(k, "a meta key")
            switch key {
            case "noop": m.noop = try bool(v, key)
            case "autoedge": m.autoedge = try bool(v, key)
            case "retry": m.retry = try int(v, key)
            case "delay": m.delay = try int(v, key)
            case "poll": m.poll = try int(v, key)
            case "burst": m.burst = try int(v, key)
            case "timeout": m.timeout = try int(v, key)
            case "limit":
                guard case let .float(f) = try value(v) else {
                    if case let .int(i) = try value(v) { m.limit = Double(i); continue }
                    throw at(v, "'limit' must be a number")
                }
                m.limit = f
            case "sema":
                guard case let .sequence(list) = v else { throw at(v, "'sema' must be a list of ids") }
                m.sema = try list.map { try scalarString($0, "a semaphore id") }
            default:
                throw at(k, "unknown meta key '\(key)' (expected one of: \(Meta.keys.sorted().joined(separator: ", ")))")
            }
        }
        if let limit = m.limit, limit.isFinite, (m.burst ?? 0) == 0 {
            throw at(node, "meta 'limit' needs a 'burst' above 0 (else the resource is permanently limited)")
        }
        return m
    }

    static func decodeEdges(_ node: Node) throws -> [Edge] {
        if case let .scalar(s) = node, s.string.isEmpty || s.string == "[]" { return [] }
        guard case let .sequence(list) = node else { throw at(node, "'edges' must be a list") }
        return try list.enumerated().map { i, item in
            var name = "e\(i + 1)", from: Ref?, to: Ref?, notify = false
            for (k, v) in try mapping(item, "an edge") {
                let key = try scalarString(k, "an edge key")
                switch key {
                case "name": name = try scalarString(v, "'name'")
                case "from": from = try ref(v)
                case "to": to = try ref(v)
                case "notify": notify = try bool(v, key)
                default: throw at(k, "unknown edge key '\(key)' (expected name, from, to, notify)")
                }
            }
            guard let from else { throw at(item, "edge '\(name)' needs 'from'") }
            guard let to else { throw at(item, "edge '\(name)' needs 'to'") }
            return Edge(name: name, from: from, to: to, notify: notify)
        }
    }

    static func ref(_ node: Node) throws -> Ref {
        var kind: String?, name: String?
        for (k, v) in try mapping(node, "a resource reference") {
            switch try scalarString(k, "a key") {
            case "kind": kind = try scalarString(v, "'kind'")
            case "name": name = try scalarString(v, "'name'")
            case let other: throw at(k, "unknown key '\(other)' in a resource reference (expected kind, name)")
            }
        }
        guard let kind, let name else { throw at(node, "a resource reference needs 'kind' and 'name'") }
        return Ref(kind: kind, name: name)
    }

    static func decodeCollect(_ node: Node) throws -> [Collect] {
        guard case let .sequence(list) = node else { throw at(node, "'collect' must be a list") }
        return try list.map { item in
            var kind: String?, pattern = ""
            for (k, v) in try mapping(item, "a collect entry") {
                switch try scalarString(k, "a key") {
                case "kind": kind = try scalarString(v, "'kind'")
                case "pattern": pattern = try scalarString(v, "'pattern'")
                case let other: throw at(k, "unknown collect key '\(other)' (expected kind, pattern)")
                }
            }
            guard let kind else { throw at(item, "a collect entry needs 'kind'") }
            return Collect(kind: kind, pattern: pattern)
        }
    }

    // MARK: - Node helpers

    static func position(_ node: Node) -> Position {
        Position(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    static func at(_ node: Node, _ message: String) -> GraphError {
        GraphError(message, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    static func yamlError(_ e: YamlError) -> GraphError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _):
            return GraphError("invalid YAML: \(problem)", line: mark.line, column: mark.column)
        default:
            return GraphError("invalid YAML: \(e)", line: 1, column: 1)
        }
    }

    static func mapping(_ node: Node, _ what: String) throws -> [(Node, Node)] {
        guard case let .mapping(m) = node else { throw at(node, "\(what) must be a mapping") }
        return m.map { ($0.key, $0.value) }
    }

    static func scalarString(_ node: Node, _ what: String) throws -> String {
        guard case let .scalar(s) = node else { throw at(node, "\(what) must be a string") }
        return s.string
    }

    static func bool(_ node: Node, _ key: String) throws -> Bool {
        guard case let .bool(b) = try value(node) else { throw at(node, "'\(key)' must be true or false") }
        return b
    }

    static func int(_ node: Node, _ key: String) throws -> Int {
        guard case let .int(i) = try value(node) else { throw at(node, "'\(key)' must be an integer") }
        return i
    }

    /// Plain scalars are typed (true/false, integers, floats); quoted ones are strings.
    static func value(_ node: Node) throws -> GraphValue {
        switch node {
        case let .scalar(s):
            if s.style == .plain {
                switch s.string {
                case "true", "True", "TRUE": return .bool(true)
                case "false", "False", "FALSE": return .bool(false)
                default: break
                }
                if let i = Int(s.string) { return .int(i) }
                if let f = Double(s.string), s.string.contains(".") { return .float(f) }
            }
            return .string(s.string)
        case let .sequence(seq):
            return .list(try seq.map(value))
        case let .mapping(m):
            var out: [String: GraphValue] = [:]
            for (k, v) in m {
                let key = try scalarString(k, "a key")
                guard out[key] == nil else { throw at(k, "duplicate key '\(key)'") }
                out[key] = try value(v)
            }
            return .map(out)
        }
    }
}
