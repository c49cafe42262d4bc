import Dispatch
import Graph
import PuppetParser
import Synchronization

/// Catalog → mgmt graph. Puppet's containers (stages, classes, define instances, nodes) become
/// noop `admissible_X` / `completed_X` pairs, as in Puppet's own relationship graph, so the edge
/// count stays linear; each core type maps to its mgmt kind; refresh relationships keep
/// `notify: true`.
public struct Mapper {
    public struct Options {
        public var graphName: String
        public var modulePath: [String]
        /// Also return the oracle's name of each vertex (for comparing edges with Puppet's).
        public var keepPuppetNames: Bool
        /// A catalog this large has its resources mapped in two halves at once (tests set it
        /// low to compare both ways).
        public var halvesFrom: Int
        public init(graphName: String, modulePath: [String] = [], keepPuppetNames: Bool = false, halvesFrom: Int = 4096) {
            self.graphName = graphName
            self.modulePath = modulePath
            self.keepPuppetNames = keepPuppetNames
            self.halvesFrom = halvesFrom
        }
    }

    public private(set) var warnings: [String] = []
    let options: Options

    public init(options: Options) { self.options = options }

    /// The types whose resources are containers (their whits stand in the graph for them),
    /// told without hashing the type (asked of every resource).
    static func isContainerType(_ type: String) -> Bool {
        switch Named(type) {
        case "Class", "Stage", "Node": return true
        default: return false
        }
    }

    /// The graph, and (with `Options.keepPuppetNames`) how the oracle's relationship graph
    /// names each vertex. Vertices and edges are numbered, not hashed by name: the graph comes
    /// out already in the codec's order. `started`: the part that needs no relationships,
    /// begun while the compiler checked them (used if it is this catalog's).
    public mutating func map(_ catalog: Catalog, started: MappingResources? = nil) -> (graph: Graph, puppetNames: [Ref: String]) {
        var p = started.flatMap { $0.catalog === catalog ? $0.result() : nil } ?? Mapper.prepare(catalog, options)
        warnings += p.warnings
        let (relationships, serials) = catalog.collectedRelationships
        for (rel, serials) in zip(relationships, serials) {
            let f = p.index[serials.from], t = p.index[serials.to]
            if f >= 0 && t >= 0 { p.addEdge(p.exit[f], p.entry[t], rel.refresh) }
        }
        var graph = p.graph
        graph.name = options.graphName
        if let started, started.catalog === catalog { graph.resourcesYAMLHint = started.resourcesYAML }
        // One edge per pair, in pair order: sorted, a pair's refreshing edge comes after its
        // plain one and wins.
        sortNonNegative(&p.edgeKeys)
        var keys: [Int] = []
        keys.reserveCapacity(p.edgeKeys.count)
        for k in p.edgeKeys {
            if let last = keys.last, last >> 1 == k >> 1 { keys[keys.count - 1] = last | k } else { keys.append(k) }
        }
        // Named e1, e2, …: a long list made in two halves at once, each half in its place of the
        // list (not made apart and copied: every copy of an edge retains its four strings).
        let halves = keys.count >= max(options.halvesFrom, 2) ? [0..<(keys.count / 2), (keys.count / 2)..<keys.count] : [0..<keys.count]
        // Beside each edge, where its ends are among the resources (the encoder's hint).
        let (resources, width) = (graph.resources, p.width)
        var ends: [Graph.EdgeEnds] = []
        graph.edges = Array(unsafeUninitializedCapacity: keys.count) { list, initialized in
            ends = Array(unsafeUninitializedCapacity: keys.count) { endList, endsInitialized in
                nonisolated(unsafe) let (list, endList) = (list, endList)
                _ = doneInParts(halves.count) { h in
                    for k in halves[h] {
                        let (from, to) = ((keys[k] >> 1) / width, (keys[k] >> 1) % width)
                        (endList.baseAddress! + k).initialize(to: Graph.EdgeEnds(from: from, to: to))
                        (list.baseAddress! + k).initialize(to: Edge(name: Edge.defaultName(k + 1), from: resources[from].ref,
                                                                    to: resources[to].ref, notify: keys[k] & 1 == 1))
                    }
                }
                endsInitialized = keys.count
            }
            initialized = keys.count
        }
        graph.edgeEndsHint = ends
        var names: [Ref: String] = [:]
        if options.keepPuppetNames {
            for v in p.puppetName.indices { names[p.graph.resources[p.place[v]].ref] = p.puppetName[v] }
        }
        return (graph, names)
    }

    /// What the mapping needs no relationships for (it reads only resources and containment,
    /// so it may run while the compiler checks the relationships: `MappingResources`).
    public struct Prepared {
        /// The catalog's resources in the graph (not the virtual ones), by catalog serial.
        var index: [Int]
        /// Each resource's entry and exit vertex: itself, or its container's two whits.
        var entry: [Int], exit: [Int]
        var puppetName: [String]
        /// The graph's resources (in the codec's order), without edges yet.
        var graph: Graph
        /// Each vertex's place in `graph.resources`.
        var place: [Int]
        /// Each edge as its `place` pair (from * width + to) shifted left once, plus 1 when it
        /// refreshes, in the order added (`map` sorts them and merges each pair's).
        var edgeKeys: [Int] = []
        var width: Int
        var warnings: [String]

        mutating func addEdge(_ a: Int, _ b: Int, _ notify: Bool) {
            edgeKeys.append((place[a] * width + place[b]) << 1 | (notify ? 1 : 0))
        }
    }

    /// `mapping`: each resource's own mapping, done (`ResourceMapping.help`, then `wait`);
    /// without it, done here.
    static func prepare(_ catalog: Catalog, _ options: Options, mapping: ResourceMapping? = nil) -> Prepared {
        let each = mapping ?? ResourceMapping(catalog, options)
        if mapping == nil { each.help(); each.wait() }
        PhaseClock.event("resources mapped")
        // The catalog's resources in the graph (not the virtual ones), by serial, and which are
        // containers. (Numbers only: the resource objects were last touched on other threads,
        // and each touch here would be a miss on another core's cache.)
        var isContainer: [Bool] = [], mappedAt: [Int] = []
        isContainer.reserveCapacity(catalog.resources.count)
        mappedAt.reserveCapacity(catalog.resources.count)
        for j in 0..<catalog.resources.count where each.role[j] != .virtual {
            isContainer.append(each.role[j] == .container)
            mappedAt.append(j)
        }
        let warnings = each.warnings
        let n = mappedAt.count
        // Catalog serial → place in `resources` (-1: virtual, not in the graph).
        var index = [Int](repeating: -1, count: catalog.resources.count)
        for (i, j) in mappedAt.enumerated() { index[j] = i }
        var children = [[Int]](repeating: [], count: n)
        for (from, to) in catalog.containmentSerials {
            let f = index[Int(from)], t = index[Int(to)]
            if f >= 0 && t >= 0 { children[f].append(t) }
        }
        var vertices: [Resource?] = []
        // The oracle's names, only for comparing edges with Puppet's (`keepPuppetNames`).
        var puppetName: [String] = []
        let named = options.keepPuppetNames
        vertices.reserveCapacity(n)
        if named { puppetName.reserveCapacity(n) }
        var entry = [Int](repeating: 0, count: n), exit = entry
        for i in 0..<n {
            if isContainer[i] {
                // Puppet's graph capitalises the main class: Class[Main].
                let ref = catalog.resources[mappedAt[i]].ref
                let whit = ref == "Class[main]" ? "Class[Main]" : ref
                entry[i] = vertices.count
                exit[i] = vertices.count + 1
                for w in ["admissible_", "completed_"] {
                    vertices.append(Resource(kind: "noop", name: w + whit))
                    if named { puppetName.append("Whit[" + w + whit + "]") }
                }
            } else {
                entry[i] = vertices.count
                exit[i] = vertices.count
                // Moved, not copied (a copy retains each of its strings and lists).
                vertices.append(each.take(mappedAt[i]))
                if named { puppetName.append(catalog.resources[mappedAt[i]].ref) }
            }
        }
        // Each vertex's place in the graph's resource list, which is in the codec's order; a
        // vertex with the same kind and name as the one before it shares its place, so their
        // edges merge.
        let order = indicesSortedByUTF8(count: vertices.count, parts: 2) { i, part in part == 0 ? vertices[i]!.kind : vertices[i]!.name }
        var graph = Graph(name: "")
        graph.resources.reserveCapacity(vertices.count)
        var place = [Int](repeating: 0, count: vertices.count)
        // Each vertex moved into its place (a vertex merged into the one before it is dropped).
        for v in order {
            let vertex = vertices[v].take()!
            // (`==`: vertices the YAML codec would take for one, Unicode-equivalent names of
            // resources Puppet keeps apart, merge, as the graph goldens have them.)
            if let last = graph.resources.last, last.kind == vertex.kind, last.name == vertex.name {
                place[v] = graph.resources.count - 1
            } else {
                place[v] = graph.resources.count
                graph.resources.append(vertex)
            }
        }
        var p = Prepared(index: index, entry: entry, exit: exit, puppetName: puppetName, graph: graph,
                         place: place, width: max(graph.resources.count, 1), warnings: warnings)
        // Two containment edges a resource, and about one relationship.
        p.edgeKeys.reserveCapacity(3 * vertices.count)
        // Containment: a container's entry before what it holds, that before its exit.
        for i in 0..<n where isContainer[i] {
            if children[i].isEmpty { p.addEdge(entry[i], exit[i], false) }
            for c in children[i] {
                p.addEdge(entry[i], entry[c], true)
                p.addEdge(exit[c], exit[i], true)
            }
        }
        return p
    }

    /// One Puppet resource as an mgmt resource (a noop placeholder, with a warning, for a type
    /// mgmt lacks).
    mutating func mapResource(_ r: CatalogResource) -> Resource {
        let p = r.parameters
        func str(_ k: String) -> String? { p[k].map { $0.interpolated } }
        var params: ParamList<GraphValue> = [:]
        let name = (r.exported ? "@@" : "") + r.title
        switch Named(r.type) {
        case "File":
            // One pass over the (few) parameters rather than a lookup for each one File knows.
            var ensureV, pathV, content, source, owner, group, mode, target: Value?
            var flags: [(String, Value)] = []
            for (k, v) in p {
                switch Named(k) {
                case "ensure": ensureV = v
                case "path": pathV = v
                case "content": content = v
                case "source": source = v
                case "owner": owner = v
                case "group": group = v
                case "mode": mode = v
                case "target": target = v
                case "recurse", "force", "purge", "replace": flags.append((k, v))
                default: break
                }
            }
            params.reserveCapacity(6 + flags.count)
            let ensure = ensureV?.interpolated ?? "file"
            var path = pathV?.interpolated ?? r.title
            if ensure == "directory", !path.hasSuffix("/") { path += "/" }
            params.appendNew("path", .string(path))
            params.appendNew("state", .string(ensure == "absent" ? "absent" : "exists"))
            if let c = content { params.appendNew("content", .string(c.interpolated)) }
            if let s = source { params.appendNew("source", .string(resolveSource(s.interpolated))) }
            if let v = owner { params.appendNew("owner", .string(v.interpolated)) }
            if let v = group { params.appendNew("group", .string(v.interpolated)) }
            if let m = mode {
                if case let .integer(i) = m { params.appendNew("mode", .string("0" + String(i, radix: 8))) } else { params.appendNew("mode", .string(m.interpolated)) }
            }
            for (k, v) in flags { params.appendNew(k, .bool(v.isTruthy && v.interpolated != "false")) }
            switch Named(ensure) {
            case "file", "present", "directory", "absent": break
            default:
                // `link`, or a link target as ensure: mgmt makes a symlink from `source` when
                // `symlink` is set.
                params.appendNew("symlink", .bool(true))
                params.updateValue(.string(target?.interpolated ?? ensure), forKey: "source")
            }
            return Resource(kind: "file", name: name, params: params)
        case "Package":
            let ensure = str("ensure") ?? "installed"
            switch Named(ensure) {
            case "installed", "present": params.appendNew("state", .string("installed"))
            case "absent", "purged": params.appendNew("state", .string("uninstalled"))
            case "latest": params.appendNew("state", .string("newest"))
            default: params.appendNew("state", .string(ensure))
            }
            return Resource(kind: "pkg", name: name, params: params)
        case "Service":
            if let e = str("ensure") { params.appendNew("state", .string(e == "running" || e == "true" ? "running" : "stopped")) }
            if let en = p["enable"] { params.appendNew("startup", .string(en.isTruthy && en.interpolated != "false" ? "enabled" : "disabled")) }
            return Resource(kind: "svc", name: name, params: params)
        case "Exec":
            var meta = Meta()
            let command = str("command") ?? r.title
            let shell = Self.shell(for: command)
            params.appendNew("cmd", .string(command))
            params.appendNew("shell", .string(shell))
            // A guard gets its own shell field only when it differs from the command's.
            for (puppet, cmd, shellKey) in [("onlyif", "ifcmd", "ifshell"), ("unless", "nifcmd", "nifshell")] {
                guard let v = str(puppet) else { continue }
                params.appendNew(cmd, .string(v))
                let own = Self.shell(for: v)
                if own != shell { params.appendNew(shellKey, .string(own)) }
            }
            if let v = str("creates") { params.appendNew("creates", .string(v)) }
            if let v = str("cwd") { params.appendNew("cwd", .string(v)) }
            if let v = str("user") { params.appendNew("user", .string(v)) }
            if let v = str("group") { params.appendNew("group", .string(v)) }
            // mgmt keeps the timeout in meta, in milliseconds (0: none).
            if let v = p["timeout"], let t = Int(v.interpolated) { meta.timeout = t * 1000 }
            if let v = p["refreshonly"], v.isTruthy, v.interpolated != "false" { params.appendNew("refreshonly", .bool(true)) }
            if let v = p["path"] { params.appendNew("path", .list(flat(v).map(GraphValue.string))) }
            if let v = p["environment"] {
                var env: [String: GraphValue] = [:]
                for kv in flat(v) {
                    let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
                    env[parts[0]] = .string(parts.count > 1 ? parts[1] : "")
                }
                params.appendNew("env", .map(env))
            }
            if let v = p["returns"] { params.appendNew("returns", .list(flat(v).compactMap { Int($0) }.map { .int($0) })) }
            if let v = p["tries"], let t = Int(v.interpolated), t > 1 { meta.retry = t - 1 }
            if let v = p["try_sleep"], let t = Int(v.interpolated) { meta.delay = t * 1000 }
            return Resource(kind: "exec", name: name, params: params, meta: meta.isEmpty ? nil : meta)
        case "Notify":
            params.appendNew("body", .string(str("message") ?? r.title))
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
        let meta = shellMetacharacters
        return command.utf8.contains(where: { meta[Int($0)] }) ? "/bin/sh" : ""
    }

    /// Ruby's list for Kernel.exec (all ASCII, so a table by byte will do).
    static let shellMetacharacters: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in "*?{}[]<>()~&|\\$;'`\"\n#=%".utf8 { table[Int(c)] = true }
        return table
    }()

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
        result.edgeEndsHint = nil
        result.resourcesYAMLHint = nil
        result.edges = flat.values.sorted { "\($0.from)|\($0.to)" < "\($1.from)|\($1.to)" }
        for i in result.edges.indices { result.edges[i].name = Edge.defaultName(i + 1) }
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

    /// A value's strings, nested lists flattened (made in one list, not a list per level).
    func flat(_ v: Value) -> [String] {
        func add(_ v: Value, _ out: inout [String]) {
            if case let .array(a) = v { for item in a { add(item, &out) } } else { out.append(v.interpolated) }
        }
        var out: [String] = []
        if case let .array(a) = v { out.reserveCapacity(a.count) }
        add(v, &out)
        return out
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

/// A large catalog mapped on another thread as far as it goes without relationships (each
/// resource, the whits of containers, the graph's resource order, containment edges), started
/// once the compiler declares the resources final (`Compiler.whenResourcesFinal`): that runs
/// while the relationships are collected and checked, and `Mapper.map(_:started:)` takes it.
public final class MappingResources: @unchecked Sendable {
    public let catalog: Catalog
    private let prepared: BackgroundWork<Mapper.Prepared>
    /// With `encodingResources`: their YAML, written on a thread of its own once they are
    /// mapped (while the edges are made), for the graph's `resourcesYAMLHint`.
    let resourcesYAML: ResourcesYAML?

    private let each: ResourceMapping

    public init(_ catalog: Catalog, options: Mapper.Options, encodingResources: Bool = false) {
        self.catalog = catalog
        let each = ResourceMapping(catalog, options)
        self.each = each
        let prepared = BackgroundWork {
            PhaseClock.event("prepare start"); defer { PhaseClock.event("prepare end") }
            each.help()
            each.wait()
            return Mapper.prepare(catalog, options, mapping: each)
        }
        self.prepared = prepared
        resourcesYAML = encodingResources ? ResourcesYAML(writing: { prepared.result().graph.resources }) : nil
    }

    /// Maps resources beside the mapping thread until none is left to take: the compiler's
    /// thread does this before it checks the relationships, which then run beside the rest of
    /// the mapping (two threads on two cores, not three).
    public func help() { each.help() }

    /// Waits for the mapping.
    func result() -> Mapper.Prepared { prepared.result() }
}

/// Each catalog resource's own mapping (Mapper.mapResource), in chunks of the resource list
/// that any thread may take (`help`), each thread its own Mapper for the chunks it takes; the
/// warnings come out in resource order all the same. Written once per slot, read (moved out)
/// only after `wait`.
final class ResourceMapping: @unchecked Sendable {
    enum Role: UInt8 { case virtual, container, plain }
    /// Each resource's role, set with its chunk (read after `wait`).
    let role: UnsafeMutablePointer<Role>
    private let catalog: Catalog
    private let options: Mapper.Options
    private let slots: UnsafeMutablePointer<Resource?>
    private let chunkWarnings: UnsafeMutablePointer<[String]>
    private let chunk: Int, chunks: Int
    private let nextChunk = Atomic<Int>(0)
    private let chunksLeft: Atomic<Int>
    private let finished = DispatchSemaphore(value: 0)

    init(_ catalog: Catalog, _ options: Mapper.Options) {
        self.catalog = catalog
        self.options = options
        let n = catalog.resources.count
        role = .allocate(capacity: max(n, 1))
        // A large catalog in chunks of 256 (at least two); a small one in one.
        chunk = n >= max(options.halvesFrom, 2) ? max(1, min(256, (n + 1) / 2)) : max(n, 1)
        chunks = (n + chunk - 1) / chunk
        slots = .allocate(capacity: max(n, 1))
        slots.initialize(repeating: nil, count: n)
        chunkWarnings = .allocate(capacity: max(chunks, 1))
        chunksLeft = Atomic(chunks)
        if chunks == 0 { finished.signal() }
    }

    deinit {
        slots.deinitialize(count: catalog.resources.count)
        slots.deallocate()
        role.deallocate()
        chunkWarnings.deinitialize(count: chunks)
        chunkWarnings.deallocate()
    }

    /// Maps chunks until none is left to take.
    func help() {
        let all = catalog.resources
        while true {
            let taken = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
            guard taken < chunks else { return }
            // Last chunk first: the compiler's thread checks the relationships from the first
            // resource on meanwhile, and two threads retaining the same resources at once pass
            // their counts' cache lines back and forth.
            let c = chunks - 1 - taken
            var mapper = Mapper(options: options)
            for j in (c * chunk)..<min((c + 1) * chunk, all.count) {
                let r = all[j]
                let role: Role = r.virtual ? .virtual : Mapper.isContainerType(r.type) || r.isDefineInstance ? .container : .plain
                (self.role + j).initialize(to: role)
                if role == .plain { slots[j] = mapper.mapResource(r) }
            }
            (chunkWarnings + c).initialize(to: mapper.warnings)
            if chunksLeft.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finished.signal() }
        }
    }

    /// Waits until every chunk is mapped (for one thread, once).
    func wait() {
        finished.wait()
        _ = chunksLeft.load(ordering: .acquiring)
    }

    /// The mapping of catalog resource `j` (not a virtual one or a container), moved out.
    func take(_ j: Int) -> Resource { slots[j].take()! }

    var warnings: [String] { (0..<chunks).flatMap { chunkWarnings[$0] } }
}
