import Graph

/// A semantic difference of two graphs: resources added, removed and changed (per parameter,
/// file content as a line diff), edges added and removed.
public struct GraphDiff {
    public struct Change {
        public let ref: Ref
        public let params: [(name: String, old: GraphValue?, new: GraphValue?)]
    }

    public var added: [Ref] = []
    public var removed: [Ref] = []
    public var changed: [Change] = []
    public var edgesAdded: [Edge] = []
    public var edgesRemoved: [Edge] = []

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && edgesAdded.isEmpty && edgesRemoved.isEmpty }

    /// `ignore` patterns (`*` wildcards): `Kind[name]` leaves a resource out, `Kind[name]/param`
    /// or a bare `param` leaves out a parameter. `meta` and tags have no effect on the system
    /// and are not compared.
    /// `partsFrom`: graphs with this many edges have their resources and their edges compared
    /// at once (tests set it low to compare both ways).
    public init(_ a: Graph, _ b: Graph, ignore: [String] = [], partsFrom: Int = 4096) {
        // `Kind[name]/param` splits at the last "]/" (names such as file paths contain "/").
        func split(_ p: String) -> (String, String)? {
            guard let close = p.lastIndex(of: "]"), p.index(after: close) < p.endIndex, p[p.index(after: close)] == "/" else { return nil }
            return (String(p[...close]), String(p[p.index(close, offsetBy: 2)...]))
        }
        let resourcePatterns = ignore.filter { $0.contains("[") && split($0) == nil }
        let paramPatterns = ignore.compactMap { p -> (String, String)? in
            if let pair = split(p) { return pair }
            return p.contains("[") ? nil : ("*", p)
        }
        func ignored(_ r: Ref) -> Bool { resourcePatterns.contains { GraphDiff.glob($0, r.description) } }
        func ignoredParam(_ r: Ref, _ p: String) -> Bool { paramPatterns.contains { GraphDiff.glob($0.0, r.description) && GraphDiff.glob($0.1, p) } }
        // Both graphs in codec order (what the mapper and the decoder of our own output give,
        // so this is only a check): one merge walk pairs resources and edges.
        let ga = a.normalized(), gb = b.normalized()
        PhaseClock.mark("diff: normalized")
        // The resources and the edges are compared at once for large graphs: neither needs the other.
        func compareResources() -> (added: [Ref], removed: [Ref], changed: [Change]) {
            var added: [Ref] = [], removed: [Ref] = [], changed: [Change] = []
            // (Without resource patterns nothing is left out: no copies.)
            let ra = resourcePatterns.isEmpty ? ga.resources : ga.resources.filter { !ignored($0.ref) }
            let rb = resourcePatterns.isEmpty ? gb.resources : gb.resources.filter { !ignored($0.ref) }
            var i = 0, j = 0
            while i < ra.count || j < rb.count {
                let c = i == ra.count ? 1 : j == rb.count ? -1 : Ref.codecCompare(ra[i].ref, rb[j].ref)
                if c < 0 {
                    removed.append(ra[i].ref); i += 1
                } else if c > 0 {
                    added.append(rb[j].ref); j += 1
                } else {
                    let l = ra[i].params, r = rb[j].params
                    if l != r {
                        var params: [(String, GraphValue?, GraphValue?)] = []
                        for k in Set(l.keys).union(r.keys).sorted() where l[k] != r[k] && !ignoredParam(ra[i].ref, k) {
                            params.append((k, l[k], r[k]))
                        }
                        if !params.isEmpty { changed.append(Change(ref: ra[i].ref, params: params)) }
                    }
                    i += 1; j += 1
                }
            }
            // The report lists resources by (kind, name) as Swift orders strings.
            func order(_ x: Ref, _ y: Ref) -> Bool { (x.kind, x.name) < (y.kind, y.name) }
            added.sort(by: order)
            removed.sort(by: order)
            changed.sort { order($0.ref, $1.ref) }
            return (added, removed, changed)
        }
        func compareEdges() -> (added: [Edge], removed: [Edge]) {
            var edgesAdded: [Edge] = [], edgesRemoved: [Edge] = []
            // Edges: the same walk over (from, to); a changed notify flag is one removed and one
            // added edge.
            func compare(_ x: Edge, _ y: Edge) -> Int {
                let f = Ref.codecCompare(x.from, y.from)
                if f != 0 { return f }
                let t = Ref.codecCompare(x.to, y.to)
                return t != 0 ? t : (x.notify == y.notify ? 0 : (x.notify ? 1 : -1))
            }
            /// Sorted by (from, to, notify), each edge once (names do not matter).
            func edgeSet(_ edges: [Edge]) -> [Edge] {
                var e = resourcePatterns.isEmpty ? edges : edges.filter { !ignored($0.from) && !ignored($0.to) }
                if e.indices.dropFirst().contains(where: { compare(e[$0 - 1], e[$0]) >= 0 }) {
                    e.sort { compare($0, $1) < 0 }
                    var unique: [Edge] = []
                    for x in e where unique.last.map({ compare($0, x) != 0 }) ?? true { unique.append(x) }
                    e = unique
                }
                return e
            }
            let ea = edgeSet(ga.edges), eb = edgeSet(gb.edges)
            var i = 0, j = 0
            while i < ea.count || j < eb.count {
                let c = i == ea.count ? 1 : j == eb.count ? -1 : compare(ea[i], eb[j])
                if c < 0 {
                    edgesRemoved.append(ea[i]); i += 1
                } else if c > 0 {
                    edgesAdded.append(eb[j]); j += 1
                } else {
                    i += 1; j += 1
                }
            }
            func key(_ e: Edge) -> String { "\(e.from)|\(e.to)|\(e.notify)" }
            edgesAdded = edgesAdded.map { (key($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
            edgesRemoved = edgesRemoved.map { (key($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
            return (edgesAdded, edgesRemoved)
        }
        ((added, removed, changed), (edgesAdded, edgesRemoved)) =
            bothDone(together: max(ga.edges.count, gb.edges.count) >= max(partsFrom, 1), compareResources, compareEdges)
        PhaseClock.mark("diff: resources and edges")
    }

    /// `*` matches any run of characters.
    static func glob(_ pattern: String, _ s: String) -> Bool {
        let p = Array(pattern), t = Array(s)
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: t.count + 1), count: p.count + 1)
        func m(_ i: Int, _ j: Int) -> Bool {
            if let v = memo[i][j] { return v }
            let v: Bool
            if i == p.count { v = j == t.count } else if p[i] == "*" { v = m(i + 1, j) || (j < t.count && m(i, j + 1)) } else { v = j < t.count && p[i] == t[j] && m(i + 1, j + 1) }
            memo[i][j] = v
            return v
        }
        return m(0, 0)
    }

    /// Readable text: `+`/`-`/`~` per resource, changed parameters with old and new values,
    /// a unified-style line diff for file content, then edges.
    public func text() -> String {
        var out = ""
        for r in added { out += "+ \(r)\n" }
        for r in removed { out += "- \(r)\n" }
        for c in changed {
            out += "~ \(c.ref)\n"
            for p in c.params {
                if p.name == "content", case let .string(o)? = p.old, case let .string(n)? = p.new {
                    out += "    content:\n"
                    for line in GraphDiff.lineDiff(o, n) { out += "      \(line)\n" }
                } else {
                    out += "    \(p.name): \(p.old.map(YAMLEncoder.scalar) ?? "(unset)") -> \(p.new.map(YAMLEncoder.scalar) ?? "(unset)")\n"
                }
            }
        }
        for e in edgesAdded { out += "+ edge \(e.from) -> \(e.to)\(e.notify ? " (notify)" : "")\n" }
        for e in edgesRemoved { out += "- edge \(e.from) -> \(e.to)\(e.notify ? " (notify)" : "")\n" }
        return out
    }

    /// Lines prefixed `-`, `+` or ` `, from a longest-common-subsequence alignment.
    public static func lineDiff(_ a: String, _ b: String) -> [String] {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = b.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] { out.append("  " + x[i]); i += 1; j += 1 }
            else if i < x.count, j == y.count || lcs[i + 1][j] >= lcs[i][j + 1] { out.append("- " + x[i]); i += 1 }
            else { out.append("+ " + y[j]); j += 1 }
        }
        return out
    }

    /// `{"equal", "added", "removed", "changed": [{"resource", "params": {name: {"old", "new"}}}],
    /// "edges_added", "edges_removed"}`.
    public func json() -> String {
        func q(_ s: String) -> String { JSONText.quote(s) }
        func v(_ x: GraphValue?) -> String {
            guard let x else { return "null" }
            switch x {
            case let .string(s): return q(s)
            case let .int(i): return String(i)
            case let .float(f): return "\(f)"
            case let .bool(b): return b ? "true" : "false"
            case let .list(l): return "[" + l.map { v($0) }.joined(separator: ",") + "]"
            case let .map(m): return "{" + m.keys.sorted().map { q($0) + ":" + v(m[$0]) }.joined(separator: ",") + "}"
            }
        }
        func edge(_ e: Edge) -> String { "{\"from\":\(q(e.from.description)),\"to\":\(q(e.to.description)),\"notify\":\(e.notify)}" }
        let changes = changed.map { c in
            "{\"resource\":\(q(c.ref.description)),\"params\":{" + c.params.map { "\(q($0.name)):{\"old\":\(v($0.old)),\"new\":\(v($0.new))}" }.joined(separator: ",") + "}}"
        }
        return "{\"equal\":\(isEmpty),\"added\":[" + added.map { q($0.description) }.joined(separator: ",") + "],\"removed\":["
            + removed.map { q($0.description) }.joined(separator: ",") + "],\"changed\":[" + changes.joined(separator: ",")
            + "],\"edges_added\":[" + edgesAdded.map(edge).joined(separator: ",") + "],\"edges_removed\":["
            + edgesRemoved.map(edge).joined(separator: ",") + "]}\n"
    }
}
