import Graph

/// A graph ready to run: every resource built and validated, automatic edges added, and no
/// cycle. Building collects every resource error, sorted by position, before anything runs.
public struct EngineGraph: Sendable {
    public struct Vertex: Sendable {
        public let spec: Resource
        public let resource: EngineResource
        public var ref: Ref { spec.ref }
    }

    public let name: String
    public let vertices: [Vertex]
    /// Explicit edges and then automatic ones.
    public let edges: [Edge]
    public let autoEdges: [Edge]
    /// `edges` as positions in `vertices` (what the scheduler links by, without hashing refs).
    public let links: [(from: Int, to: Int, notify: Bool)]

    public struct Failure: Error, CustomStringConvertible {
        public let errors: [ResourceError]
        public var description: String { errors.map(\.message).joined(separator: "\n") }
    }

    /// `halvesFrom`: a graph this large has its resources built in two halves at once (the
    /// two cores; tests set it low to compare both ways).
    public init(_ graph: Graph, halvesFrom: Int = 4096, log: (String) -> Void = { _ in }) throws {
        let specs = graph.resources
        let n = specs.count
        let parts = n >= max(halvesFrom, 2) ? [0..<(n / 2), (n / 2)..<n] : [0..<n]
        var errors: [ResourceError] = []
        var vertices: [Vertex] = []
        vertices.reserveCapacity(n)
        for part in doneInParts(parts.count, { k in Self.build(specs[parts[k]]) }) {
            vertices += part.vertices
            errors += part.errors
        }
        // Each UID's first resource: two resources that manage the same file would undo each
        // other forever (Puppet refuses the catalog too); the automatic edges link to it.
        var owner: [ResourceUID: Int] = [:]
        owner.reserveCapacity(vertices.count)
        var autoedgeOff = false
        for (i, v) in vertices.enumerated() {
            if v.spec.meta?.autoedge == false { autoedgeOff = true }
            for uid in v.resource.uids {
                if let first = owner[uid] {
                    guard case .file = uid else { continue }
                    errors.append(ResourceError(message: "\(v.ref): manages the same path as \(vertices[first].ref) (\(uid))", position: v.spec.position))
                } else {
                    owner[uid] = i
                }
            }
        }
        guard errors.isEmpty else {
            throw Failure(errors: errors.sorted { ($0.position?.line ?? 0, $0.position?.column ?? 0) < ($1.position?.line ?? 0, $1.position?.column ?? 0) })
        }
        name = graph.name
        self.vertices = vertices
        // Vertices by number: the automatic edges and the cycle check work on index pairs,
        // each name is made once (10k resources, each ref hashed once). The explicit edges
        // by number, and the names and automatic edge candidates, at once for a large graph
        // (neither needs the other).
        let offers = autoedgeOff ? nil : owner
        let (explicit, (names, candidates)) = bothDone(together: vertices.count >= max(halvesFrom, 2), { [vertices] in
            var number: [Ref: Int] = [:]
            number.reserveCapacity(vertices.count)
            for (i, v) in vertices.enumerated() { number[v.ref] = i }
            var links: [(from: Int, to: Int, notify: Bool)] = []
            links.reserveCapacity(graph.edges.count)
            for e in graph.edges {
                if let a = number[e.from], let b = number[e.to] { links.append((a, b, e.notify)) }
            }
            return links
        }, { [vertices] in
            let names = vertices.map(\.ref.description)
            return (names, Self.autoEdgeCandidates(vertices, names: names, offers: offers))
        })
        let autoPairs = Self.newEdges(candidates, explicit: explicit)
        let auto = autoPairs.map { Edge(name: Self.autoEdgeName(names[$0.from], names[$0.to]), from: vertices[$0.from].ref, to: vertices[$0.to].ref) }
        // One write for all of them (10k lines one by one cost more than building the graph).
        if !auto.isEmpty { log(auto.map(\.name).joined(separator: "\n")) }
        autoEdges = auto
        edges = graph.edges + auto
        let links = explicit + autoPairs.map { ($0.from, $0.to, false) }
        self.links = links
        if let cycle = firstCycle(Adjacency(vertices: vertices.count, edges: { add in for link in links { add(link.from, link.to) } })) {
            throw Failure(errors: [ResourceError(message: "dependency cycle: " + cycle.map { names[$0] }.joined(separator: " -> "), position: nil)])
        }
    }

    /// Builds and validates each resource of `specs`, in order; the errors are collected.
    static func build(_ specs: ArraySlice<Resource>) -> (vertices: [Vertex], errors: [ResourceError]) {
        var errors: [ResourceError] = []
        var vertices: [Vertex] = []
        vertices.reserveCapacity(specs.count)
        for spec in specs {
            if spec.isExported {
                errors.append(ResourceError(message: "\(spec.ref): exported resources are sent to the world, not run; exchange the graph first",
                                            position: spec.position))
                continue
            }
            do {
                let resource = try ResourceKinds.make(spec)
                try Self.validateMeta(spec)
                vertices.append(Vertex(spec: spec, resource: resource))
            } catch let e as ResourceError {
                errors.append(e)
            } catch {
                errors.append(ResourceError(message: "\(spec.ref): \(error)", position: spec.position))
            }
        }
        return (vertices, errors)
    }

    /// `AutoEdge: A -> B`, made in one allocation (10k of them for 10k files).
    static func autoEdgeName(_ from: String, _ to: String) -> String {
        var (from, to) = (from, to)
        return from.withUTF8 { a in
            to.withUTF8 { b in
                String(unsafeUninitializedCapacity: 14 + a.count + b.count) { out in
                    var i = 0
                    for c in "AutoEdge: ".utf8 { out[i] = c; i += 1 }
                    for c in a { out[i] = c; i += 1 }
                    for c in " -> ".utf8 { out[i] = c; i += 1 }
                    for c in b { out[i] = c; i += 1 }
                    return i
                }
            }
        }
    }

    static func validateMeta(_ r: Resource) throws {
        guard let m = r.meta else { return }
        func bad(_ what: String) -> ResourceError { ResourceError(message: "\(r.ref): meta \(what)", position: r.paramPositions["meta"] ?? r.position) }
        if let retry = m.retry, retry < -1 { throw bad("'retry' must be -1 (forever) or more") }
        if let d = m.delay, d < 0 { throw bad("'delay' must not be negative") }
        if let t = m.timeout, t < 0 { throw bad("'timeout' must not be negative") }
        if let p = m.poll, p < -1 { throw bad("'poll' must be -1 (never), 0 (watch) or seconds") }
        if let l = m.limit, l <= 0 { throw bad("'limit' must be above 0 events per second") }
        for s in m.sema ?? [] {
            guard Semaphores.parse(s) != nil else { throw bad("'sema' entry '\(s)' must be 'id' or 'id:count' with count above 0") }
        }
    }

    /// For every resource that allows it (meta autoedge, default on), in name order: link what
    /// it wants to the resources that offer it. mgmt's rules: a `firstMatchOnly` batch stops at
    /// the first match; `reversed` points the edge at the wanting resource. Vertices are
    /// numbers, `names` their descriptions; `offers`: each UID's first resource, when no
    /// resource turns automatic edges off. These are candidates: `newEdges` leaves out the
    /// edges the graph already has (so this needs no explicit edge and can run beside their
    /// lookup).
    static func autoEdgeCandidates(_ vertices: [Vertex], names: [String], offers: [ResourceUID: Int]? = nil) -> [(from: Int, to: Int)] {
        var offer: [ResourceUID: Int] = offers ?? [:]
        if offers == nil {
            for (i, v) in vertices.enumerated() where v.spec.meta?.autoedge != false {
                for uid in v.resource.uids where offer[uid] == nil { offer[uid] = i }
            }
        }
        var out: [(from: Int, to: Int)] = []
        for i in indicesSortedByUTF8(count: vertices.count, parts: 1, { i, _ in names[i] }) where vertices[i].spec.meta?.autoedge != false {
            for want in vertices[i].resource.autoEdges {
                for uid in want.uids {
                    guard let match = offer[uid], match != i else { continue }
                    out.append(want.reversed ? (match, i) : (i, match))
                    if want.firstMatchOnly { break }
                }
            }
        }
        return out
    }

    /// The candidates that are neither an explicit edge nor a repeat, in order.
    static func newEdges(_ candidates: [(from: Int, to: Int)], explicit: [(from: Int, to: Int, notify: Bool)]) -> [(from: Int, to: Int)] {
        var have = Set<Int>(minimumCapacity: explicit.count + candidates.count)
        for e in explicit { have.insert(e.from << 32 | e.to) }
        return candidates.filter { have.insert($0.from << 32 | $0.to).inserted }
    }

    /// Graphviz text: notify edges bold, automatic edges dashed and labelled.
    public func graphviz() -> String {
        func q(_ s: String) -> String { YAMLEncoder.quote(s) }
        var out = "digraph \(q(name)) {\n  label=\(q(name));\n"
        for v in vertices.sorted(by: { "\($0.ref)" < "\($1.ref)" }) { out += "  \(q(v.ref.description)) [shape=box];\n" }
        for e in edges {
            var attrs: [String] = []
            if e.notify { attrs.append("style=bold") }
            if e.name.hasPrefix("AutoEdge: ") { attrs += ["style=dashed", "label=\(q(e.name))"] }
            out += "  \(q(e.from.description)) -> \(q(e.to.description))" + (attrs.isEmpty ? "" : " [\(attrs.joined(separator: ", "))]") + ";\n"
        }
        return out + "}\n"
    }
}
