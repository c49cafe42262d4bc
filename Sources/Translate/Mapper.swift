import Graph
import PuppetParser

/// Catalog → mgmt graph. Puppet's containers (stages, classes, define instances, nodes) become
/// noop `admissible_X` / `completed_X` pairs, as in Puppet's own relationship graph, so the edge
/// count stays linear; each core type maps to its mgmt kind; refresh relationships keep
/// `notify: true`.
public struct Mapper {
    public struct Options {
        public var graphName: String
        public var modulePath: [String]
        public init(graphName: String, modulePath: [String] = []) {
            self.graphName = graphName
            self.modulePath = modulePath
        }
    }

    public private(set) var warnings: [String] = []
    let options: Options

    public init(options: Options) { self.options = options }

    static let containerTypes: Set<String> = ["Class", "Stage", "Node"]

    /// The vertex of a resource in Puppet's relationship graph, and how our graph names it:
    /// a real resource, or the entry/exit whit of a container.
    struct Vertex: Hashable {
        let ref: Ref
        /// `Type[title]` or `Whit[admissible_Type[title]]`, as the oracle's graph names it.
        let puppetName: String
    }

    public mutating func map(_ catalog: Catalog) -> (graph: Graph, puppetNames: [Ref: String]) {
        let resources = catalog.resources.filter { !$0.virtual }
        var isContainer: [String: Bool] = [:]
        var children: [String: [String]] = [:]
        let live = Set(resources.map(\.ref))
        for (from, to) in catalog.containment where live.contains(from) && live.contains(to) {
            children[from, default: []].append(to)
        }
        for r in resources {
            isContainer[r.ref] = Mapper.containerTypes.contains(r.type) || r.isDefineInstance
        }
        var graph = Graph(name: options.graphName)
        var names: [Ref: String] = [:]
        var vertexRef: [String: Ref] = [:]
        func whitName(_ r: String) -> String {
            // Puppet's graph capitalises the main class: Class[Main].
            r == "Class[main]" ? "Class[Main]" : r
        }
        func entry(_ r: String) -> Ref {
            isContainer[r] == true ? Ref(kind: "noop", name: "admissible_" + whitName(r)) : vertexRef[r]!
        }
        func exit(_ r: String) -> Ref {
            isContainer[r] == true ? Ref(kind: "noop", name: "completed_" + whitName(r)) : vertexRef[r]!
        }
        for r in resources {
            if isContainer[r.ref] == true {
                for w in ["admissible_", "completed_"] {
                    let ref = Ref(kind: "noop", name: w + whitName(r.ref))
                    graph.resources.append(Resource(kind: "noop", name: ref.name))
                    names[ref] = "Whit[\(ref.name)]"
                }
            } else {
                let res = mapResource(r)
                graph.resources.append(res)
                vertexRef[r.ref] = res.ref
                names[res.ref] = r.ref
            }
        }
        // One edge per pair; a refreshing edge wins over a plain one.
        struct Pair: Hashable { let from: Ref; let to: Ref }
        var edges: [Pair: Bool] = [:]
        func add(_ from: Ref, _ to: Ref, _ notify: Bool) {
            let k = Pair(from: from, to: to)
            edges[k] = (edges[k] ?? false) || notify
        }
        for r in resources where isContainer[r.ref] == true {
            let kids = children[r.ref] ?? []
            if kids.isEmpty {
                add(entry(r.ref), exit(r.ref), false)
            }
            for c in kids {
                add(entry(r.ref), entry(c), true)
                add(exit(c), exit(r.ref), true)
            }
        }
        for rel in catalog.relationships where live.contains(rel.from) && live.contains(rel.to) {
            add(exit(rel.from), entry(rel.to), rel.refresh)
        }
        graph.edges = edges.map { Edge(name: "", from: $0.key.from, to: $0.key.to, notify: $0.value) }
        graph = graph.normalized()
        for i in graph.edges.indices { graph.edges[i].name = "e\(i + 1)" }
        return (graph, names)
    }

    /// One Puppet resource as an mgmt resource.
    mutating func mapResource(_ r: CatalogResource) -> Resource {
        let p = r.parameters
        func str(_ k: String) -> String? { p[k].map { $0.interpolated } }
        var params: [String: GraphValue] = [:]
        var meta = Meta()
        let name = (r.exported ? "@@" : "") + r.title
        switch r.type {
        case "File":
            let ensure = str("ensure") ?? "file"
            var path = str("path") ?? r.title
            if ensure == "directory", !path.hasSuffix("/") { path += "/" }
            params["path"] = .string(path)
            params["state"] = .string(ensure == "absent" ? "absent" : "exists")
            if let c = str("content") { params["content"] = .string(c) }
            if let s = str("source") { params["source"] = .string(resolveSource(s)) }
            for k in ["owner", "group"] { if let v = str(k) { params[k] = .string(v) } }
            if let m = p["mode"] {
                if case let .integer(i) = m { params["mode"] = .string("0" + String(i, radix: 8)) } else { params["mode"] = .string(m.interpolated) }
            }
            for k in ["recurse", "force", "purge", "replace"] { if let v = p[k] { params[k] = .bool(v.isTruthy && v.interpolated != "false") } }
            if ensure == "link" || (!["file", "present", "directory", "absent"].contains(ensure)) {
                // mgmt makes a symlink from `source` when `symlink` is set.
                params["symlink"] = .bool(true)
                params["source"] = .string(str("target") ?? ensure)
            }
            return Resource(kind: "file", name: name, params: params)
        case "Package":
            let ensure = str("ensure") ?? "installed"
            switch ensure {
            case "installed", "present": params["state"] = .string("installed")
            case "absent", "purged": params["state"] = .string("uninstalled")
            case "latest": params["state"] = .string("newest")
            default: params["state"] = .string(ensure)
            }
            return Resource(kind: "pkg", name: name, params: params)
        case "Service":
            if let e = str("ensure") { params["state"] = .string(e == "running" || e == "true" ? "running" : "stopped") }
            if let en = p["enable"] { params["startup"] = .string(en.isTruthy && en.interpolated != "false" ? "enabled" : "disabled") }
            return Resource(kind: "svc", name: name, params: params)
        case "Exec":
            let command = str("command") ?? r.title
            let shell = Self.shell(for: command)
            params["cmd"] = .string(command)
            params["shell"] = .string(shell)
            if let v = str("onlyif") {
                params["ifcmd"] = .string(v)
                if Self.shell(for: v) != shell { params["ifshell"] = .string(Self.shell(for: v)) }
            }
            if let v = str("unless") {
                params["nifcmd"] = .string(v)
                if Self.shell(for: v) != shell { params["nifshell"] = .string(Self.shell(for: v)) }
            }
            if let v = str("creates") { params["creates"] = .string(v) }
            if let v = str("cwd") { params["cwd"] = .string(v) }
            if let v = str("user") { params["user"] = .string(v) }
            if let v = str("group") { params["group"] = .string(v) }
            // mgmt keeps the timeout in meta, in milliseconds (0: none).
            if let v = p["timeout"], let t = Int(v.interpolated) { meta.timeout = t * 1000 }
            if let v = p["refreshonly"], v.isTruthy, v.interpolated != "false" { params["refreshonly"] = .bool(true) }
            if let v = p["path"] { params["path"] = .list(flat(v).map { .string($0) }) }
            if let v = p["environment"] {
                var env: [String: GraphValue] = [:]
                for kv in flat(v) {
                    let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
                    env[parts[0]] = .string(parts.count > 1 ? parts[1] : "")
                }
                params["env"] = .map(env)
            }
            if let v = p["returns"] { params["returns"] = .list(flat(v).compactMap { Int($0) }.map { .int($0) }) }
            if let v = p["tries"], let t = Int(v.interpolated), t > 1 { meta.retry = t - 1 }
            if let v = p["try_sleep"], let t = Int(v.interpolated) { meta.delay = t * 1000 }
            return Resource(kind: "exec", name: name, params: params, meta: meta.isEmpty ? nil : meta)
        case "Notify":
            params["body"] = .string(str("message") ?? r.title)
            return Resource(kind: "msg", name: name, params: params)
        default:
            warnings.append("\(r.ref): no mgmt resource for type '\(r.type)'; translated as a noop placeholder that keeps its edges")
            return Resource(kind: "noop", name: r.ref)
        }
    }

    /// Puppet's posix exec provider hands the command string to Ruby's `Kernel.exec`, which
    /// runs it through `/bin/sh -c` when it holds a shell metacharacter and splits it on
    /// whitespace otherwise; mgmt's `shell` field says the same thing.
    static func shell(for command: String) -> String {
        command.contains(where: { "*?{}[]<>()~&|\\$;'`\"\n#=%".contains($0) }) ? "/bin/sh" : ""
    }

    /// `--flatten`: the graph without container whits, each edge projected onto real resources
    /// (A → B when B is reachable from A through whits only; it refreshes when every edge of
    /// some such path does) — the oracle's `flat_edges`.
    /// The entry or exit vertex of a Puppet container (not a resource of its own).
    static func isWhit(_ r: Ref) -> Bool { r.kind == "noop" && (r.name.hasPrefix("admissible_") || r.name.hasPrefix("completed_")) }

    public static func flatten(_ g: Graph) -> Graph {
        var out: [Ref: [(Ref, Bool)]] = [:]
        for e in g.edges { out[e.from, default: []].append((e.to, e.notify)) }
        var flat: [String: Edge] = [:]
        for r in g.resources.map(\.ref) where !isWhit(r) {
            var seen = Set<String>()
            var stack = out[r] ?? []
            while let (v, refresh) = stack.popLast() {
                let key = "\(v)|\(refresh)"
                guard seen.insert(key).inserted else { continue }
                if isWhit(v) {
                    for (w, rf) in out[v] ?? [] { stack.append((w, refresh && rf)) }
                } else {
                    let k = "\(r)|\(v)"
                    let notify = (flat[k]?.notify ?? false) || refresh
                    flat[k] = Edge(name: "", from: r, to: v, notify: notify)
                }
            }
        }
        var result = g
        result.resources = g.resources.filter { !isWhit($0.ref) }
        result.edges = flat.values.sorted { "\($0.from)|\($0.to)" < "\($1.from)|\($1.to)" }
        for i in result.edges.indices { result.edges[i].name = "e\(i + 1)" }
        return result.normalized()
    }

    /// Graphviz `dot` text: one node per resource, solid edges, dashed where they refresh.
    public static func graphviz(_ g: Graph) -> String {
        func id(_ r: Ref) -> String { YAMLEncoder.quote(r.description) }
        var out = "digraph \(YAMLEncoder.quote(g.name)) {\n  rankdir=LR;\n"
        for r in g.normalized().resources {
            let shape = isWhit(r.ref) ? "point" : "box"
            out += "  \(id(r.ref)) [shape=\(shape), label=\(id(r.ref))];\n"
        }
        for e in g.normalized().edges {
            out += "  \(id(e.from)) -> \(id(e.to))" + (e.notify ? " [style=dashed]" : "") + ";\n"
        }
        return out + "}\n"
    }

    /// Fields our engine reads that mgmt's YAML does not have (docs/graph-format.md).
    public static let extensionFields: [String: Set<String>] = [
        "exec": ["refreshonly", "path", "returns"],
        "file": ["replace"],
    ]

    /// The extension fields a graph uses, as "Kind[name]: field" (for `--mgmt-compat`).
    public static func extensionUses(_ g: Graph) -> [String] {
        g.resources.flatMap { r in
            (extensionFields[r.kind] ?? []).filter { r.params[$0] != nil }.sorted().map { "\(r.ref): \($0)" }
        }
    }

    func flat(_ v: Value) -> [String] {
        if case let .array(a) = v { return a.flatMap(flat) }
        return [v.interpolated]
    }

    /// `puppet:///modules/mod/x` → `<modulepath>/mod/files/x` when found (else left as is).
    func resolveSource(_ s: String) -> String {
        guard s.hasPrefix("puppet:///modules/") else { return s }
        let rest = s.dropFirst("puppet:///modules/".count).split(separator: "/", maxSplits: 1).map(String.init)
        guard rest.count == 2 else { return s }
        for base in options.modulePath {
            let path = "\(base)/\(rest[0])/files/\(rest[1])"
            if ModuleLoader.fileExists(path) { return path }
        }
        return s
    }
}
