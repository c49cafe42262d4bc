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

    /// `partsFrom`: a text this long is read and decoded in parts at once (tests set it low to
    /// compare both ways).
    public static func decode(_ text: String, partsFrom: Int = 512 << 10) throws -> Graph {
        let root: YAMLNode?
        if let fast = FastYAMLReader.compose(text, inParts: text.utf8.count >= partsFrom) {
            root = fast
        } else {
            try NestingGuard.check(text)
            do {
                root = try Yams.compose(yaml: text).map(YAMLNode.init)
            } catch let e as YamlError {
                throw yamlError(e)
            }
        }
        guard let root else { throw GraphError("empty document: a graph needs at least 'graph: NAME'", line: 1, column: 1) }
        let top = try mapping(root, "the document")
        var name: String?
        var comment: String?
        var resources: [Resource] = []
        var edges: [Edge] = []
        var collect: [Collect] = []
        var refs = Set<Ref>()
        var seenKeys = Set<String>()
        // A large graph's resources and edges (most of it) are decoded at once; what each
        // gave, or the error it threw, is taken in document order below, as if decoded there.
        var early: (resources: Int, edges: Int, decoded: (resources: Result<([Resource], Set<Ref>), Error>, edges: Result<[Edge], Error>))?
        if text.utf8.count >= partsFrom,
           let r = top.firstIndex(where: { $0.key.string == "resources" }), let e = top.firstIndex(where: { $0.key.string == "edges" }) {
            early = (r, e, bothDone({ Result { var refs = Set<Ref>(); return (try decodeResources(top[r].value, refs: &refs), refs) } },
                                    { Result { try decodeEdges(top[e].value) } }))
        }
        for (index, pair) in top.enumerated() {
            let (k, v) = (pair.key, pair.value)
            let key = try scalarString(k, "a key")
            guard seenKeys.insert(key).inserted else { throw at(k, "duplicate key '\(key)'") }
            switch key {
            case "graph":
                name = try scalarString(v, "'graph'")
                if name!.isEmpty { throw at(v, "'graph' must name the graph") }
            case "comment": comment = try scalarString(v, "'comment'")
            case "resources":
                if let early, early.resources == index { (resources, refs) = try early.decoded.resources.get() } else { resources = try decodeResources(v, refs: &refs) }
            case "edges":
                if let early, early.edges == index { edges = try early.decoded.edges.get() } else { edges = try decodeEdges(v) }
            case "collect": collect = try decodeCollect(v)
            default:
                throw at(k, "unknown key '\(key)' (expected one of: \(topKeys.sorted().joined(separator: ", ")))")
            }
        }
        guard let name else { throw at(root, "missing 'graph' (the graph's name)") }
        // Edges must join resources of the graph.
        for (e, node) in zip(edges, edgeNodes(top)) {
            for (end, label) in [(e.from, "from"), (e.to, "to")] where !refs.contains(end) {
                throw at(node, "edge '\(e.name)': '\(label)' resource \(end) is not in the graph")
            }
        }
        return Graph(name: name, comment: comment, resources: resources, edges: edges, collect: collect)
    }

    /// For the fuzzer: false if the fast reader took `text` but Yams reads it differently
    /// (another tree, other positions) or rejects it, or if reading it in two parts differs.
    /// (NestingGuard, which only keeps Yams from deep recursion and alias bombs,
    /// over-estimates: it rejects some plain scalars such as `a{*b` that both readers take.)
    public static func fastReaderAgreesWithYams(_ text: String) -> Bool {
        guard let fast = FastYAMLReader.compose(text) else { return FastYAMLReader.compose(text, inParts: true) == nil }
        guard FastYAMLReader.compose(text, inParts: true) == fast else { return false }
        guard let composed = try? Yams.compose(yaml: text) else { return false }
        return YAMLNode(composed) == fast
    }

    static func edgeNodes(_ top: [YAMLNode.Pair]) -> [YAMLNode] {
        for pair in top where pair.key.string == "edges" {
            let v = pair.value
            if case let .sequence(s, _) = v { return s }
        }
        return []
    }

    /// The resources, each ref also put in `seen` (duplicates are errors; edges are checked
    /// against it).
    static func decodeResources(_ node: YAMLNode, refs seen: inout Set<Ref>) throws -> [Resource] {
        if case let .scalar(s, _, _) = node, s.isEmpty || s == "{}" { return [] }
        var out: [Resource] = []
        for pair in try mapping(node, "'resources'") {
            let (k, v) = (pair.key, pair.value)
            let kind = try scalarString(k, "a resource kind")
            guard case let .sequence(list, _) = v else { throw at(v, "resources of kind '\(kind)' must be a list") }
            for item in list {
                var name: String?
                var params: ParamList<GraphValue> = [:]
                var meta: Meta?
                var positions: [String: Position] = [:]
                for pair in try mapping(item, "a resource") {
                    let (pk, pv) = (pair.key, pair.value)
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

    static func decodeMeta(_ node: YAMLNode) throws -> Meta {
        var m = Meta()
        for pair in try mapping(node, "'meta'") {
            let (k, v) = (pair.key, pair.value)
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
                guard case let .sequence(list, _) = v else { throw at(v, "'sema' must be a list of ids") }
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

    static func decodeEdges(_ node: YAMLNode) throws -> [Edge] {
        if case let .scalar(s, _, _) = node, s.isEmpty || s == "[]" { return [] }
        guard case let .sequence(list, _) = node else { throw at(node, "'edges' must be a list") }
        return try list.enumerated().map { i, item in
            var name = Edge.defaultName(i + 1), from: Ref?, to: Ref?, notify = false
            for pair in try mapping(item, "an edge") {
                let (k, v) = (pair.key, pair.value)
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

    static func ref(_ node: YAMLNode) throws -> Ref {
        var kind: String?, name: String?
        for pair in try mapping(node, "a resource reference") {
            let (k, v) = (pair.key, pair.value)
            switch try scalarString(k, "a key") {
            case "kind": kind = try scalarString(v, "'kind'")
            case "name": name = try scalarString(v, "'name'")
            case let other: throw at(k, "unknown key '\(other)' in a resource reference (expected kind, name)")
            }
        }
        guard let kind, let name else { throw at(node, "a resource reference needs 'kind' and 'name'") }
        return Ref(kind: kind, name: name)
    }

    static func decodeCollect(_ node: YAMLNode) throws -> [Collect] {
        guard case let .sequence(list, _) = node else { throw at(node, "'collect' must be a list") }
        return try list.map { item in
            var kind: String?, pattern = ""
            for pair in try mapping(item, "a collect entry") {
                let (k, v) = (pair.key, pair.value)
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

    static func position(_ node: YAMLNode) -> Position { node.position }

    static func at(_ node: YAMLNode, _ message: String) -> GraphError {
        GraphError(message, line: node.position.line, column: node.position.column)
    }

    static func yamlError(_ e: YamlError) -> GraphError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _):
            return GraphError("invalid YAML: \(problem)", line: mark.line, column: mark.column)
        default:
            return GraphError("invalid YAML: \(e)", line: 1, column: 1)
        }
    }

    static func mapping(_ node: YAMLNode, _ what: String) throws -> [YAMLNode.Pair] {
        guard case let .mapping(m, _) = node else { throw at(node, "\(what) must be a mapping") }
        return m
    }

    static func scalarString(_ node: YAMLNode, _ what: String) throws -> String {
        guard case let .scalar(s, _, _) = node else { throw at(node, "\(what) must be a string") }
        return s
    }

    static func bool(_ node: YAMLNode, _ key: String) throws -> Bool {
        guard case let .bool(b) = try value(node) else { throw at(node, "'\(key)' must be true or false") }
        return b
    }

    static func int(_ node: YAMLNode, _ key: String) throws -> Int {
        guard case let .int(i) = try value(node) else { throw at(node, "'\(key)' must be an integer") }
        return i
    }

    /// Plain scalars are typed (true/false, integers, floats); quoted ones are strings.
    static func value(_ node: YAMLNode) throws -> GraphValue {
        switch node {
        case let .scalar(s, plain, _):
            if plain {
                switch s {
                case "true", "True", "TRUE": return .bool(true)
                case "false", "False", "FALSE": return .bool(false)
                default: break
                }
                if let i = Int(s) { return .int(i) }
                if let f = Double(s), s.contains(".") { return .float(f) }
            }
            return .string(s)
        case let .sequence(seq, _):
            return .list(try seq.map(value))
        case let .mapping(m, _):
            var out: [String: GraphValue] = [:]
            for pair in m {
                let (k, v) = (pair.key, pair.value)
                let key = try scalarString(k, "a key")
                guard out[key] == nil else { throw at(k, "duplicate key '\(key)'") }
                out[key] = try value(v)
            }
            return .map(out)
        }
    }
}
