/// Writes a graph as mgmt YAML, deterministically: kinds, resources, parameters (name first)
/// and edges sorted; strings double-quoted (JSON-style escapes, which YAML reads as they are);
/// nothing that depends on the machine or the time.
public enum YAMLEncoder {
    public static func encode(_ graph: Graph) -> String {
        let g = graph.normalized()
        var out = "---\n"
        out += "graph: \(quote(g.name))\n"
        if let c = g.comment { out += "comment: \(quote(c))\n" }
        out += "resources:"
        if g.resources.isEmpty { out += " {}\n" } else { out += "\n" }
        var currentKind: String?
        for r in g.resources {
            if r.kind != currentKind {
                out += "  \(r.kind):\n"
                currentKind = r.kind
            }
            out += "  - name: \(quote(r.name))\n"
            for key in r.params.keys.sorted() {
                write(key, r.params[key]!, indent: "    ", into: &out)
            }
            if let m = r.meta, !m.isEmpty {
                out += "    meta:\n"
                if let v = m.autoedge { out += "      autoedge: \(v)\n" }
                if let v = m.burst { out += "      burst: \(v)\n" }
                if let v = m.delay { out += "      delay: \(v)\n" }
                if let v = m.limit { out += "      limit: \(v)\n" }
                if let v = m.noop { out += "      noop: \(v)\n" }
                if let v = m.poll { out += "      poll: \(v)\n" }
                if let v = m.retry { out += "      retry: \(v)\n" }
                if let v = m.sema { out += "      sema:" + (v.isEmpty ? " []\n" : "\n" + v.map { "      - \(quote($0))\n" }.joined()) }
                if let v = m.timeout { out += "      timeout: \(v)\n" }
            }
        }
        out += "edges:"
        if g.edges.isEmpty { out += " []\n" } else { out += "\n" }
        for e in g.edges {
            out += "- name: \(quote(e.name))\n"
            out += "  from:\n    kind: \(quote(e.from.kind))\n    name: \(quote(e.from.name))\n"
            out += "  to:\n    kind: \(quote(e.to.kind))\n    name: \(quote(e.to.name))\n"
            if e.notify { out += "  notify: true\n" }
        }
        if !g.collect.isEmpty {
            out += "collect:\n"
            for c in g.collect { out += "- kind: \(quote(c.kind))\n  pattern: \(quote(c.pattern))\n" }
        }
        return out
    }

    static func write(_ key: String, _ v: GraphValue, indent: String, into out: inout String) {
        switch v {
        case let .list(items):
            if items.isEmpty { out += "\(indent)\(key): []\n"; return }
            out += "\(indent)\(key):\n"
            for i in items { out += "\(indent)- \(scalar(i))\n" }
        case let .map(m):
            if m.isEmpty { out += "\(indent)\(key): {}\n"; return }
            out += "\(indent)\(key):\n"
            for k in m.keys.sorted() { write(k, m[k]!, indent: indent + "  ", into: &out) }
        default:
            out += "\(indent)\(key): \(scalar(v))\n"
        }
    }

    /// Nested lists and maps inside lists are written in flow style.
    public static func scalar(_ v: GraphValue) -> String {
        switch v {
        case let .string(s): return quote(s)
        case let .int(i): return String(i)
        case let .float(f): return "\(f)"
        case let .bool(b): return b ? "true" : "false"
        case let .list(items): return "[" + items.map(scalar).joined(separator: ", ") + "]"
        case let .map(m): return "{" + m.keys.sorted().map { "\(quote($0)): \(scalar(m[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// A double-quoted string with JSON's escapes (valid YAML and valid JSON alike).
    public static func quote(_ s: String) -> String {
        // Most strings need no escapes: copy them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 || ch.value == 0x7F {
                    // JSON's escape, which YAML double-quoted strings read too.
                    let hex = String(ch.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}
