import Graph
import PuppetParser

/// The catalog as JSON in the oracle's shape (`../shared/tools/puppet-catalog-json.rb`):
/// `resources` (ref, type, title, exported, virtual, file, line, tags, parameters, metaparams),
/// `containment` and `relationships`, so the two can be compared with a tool.
extension Catalog {
    /// `halvesFrom`: a resource list this long is written in two halves at once (tests set it
    /// low to compare both ways).
    public func json(pretty: Bool = true, halvesFrom: Int = 4096) -> String {
        String(decoding: jsonBytes(pretty: pretty, halvesFrom: halvesFrom), as: UTF8.self)
    }

    /// The JSON as UTF-8 bytes (what the CLI writes out, without a String of the whole text).
    /// A large catalog is written in parts at once (`CatalogJSONWriting`).
    public func jsonBytes(pretty: Bool = true, halvesFrom: Int = 4096) -> [UInt8] {
        let resources = finalResources
        guard resources.count < max(halvesFrom, 2) else { return CatalogJSONWriting(self, pretty: pretty).finish() }
        var out = JSONWriter(pretty: pretty)
        out.object { w in
            w.key("puppet_version") { $0.string("7.23.0") }
            w.key("node") { $0.string(node) }
            w.key("resources") { w in w.array(resources) { w, r in r.write(&w) } }
            w.key("containment") { writeContainment(&$0) }
            w.key("relationships") { writeRelationships(&$0) }
        }
        out.buffer.append(UInt8(ascii: "\n"))
        return out.buffer
    }

    func writeContainment(_ w: inout JSONWriter) {
        let live = containmentEdges.filter { !$0.to.virtual || $0.to.exported }
        let edges = indicesSortedByUTF8(count: live.count, parts: 2) { i, part in
            part == 0 ? live[i].from.ref : live[i].to.ref
        }.map { (from: live[$0].from.ref, to: live[$0].to.ref) }
        w.array(edges) { w, e in
            w.object { w in
                w.key("from") { $0.string(e.from) }
                w.key("to") { $0.string(e.to) }
            }
        }
    }

    func writeRelationships(_ w: inout JSONWriter) {
        w.array(relationships) { w, rel in
            w.object { w in
                w.key("from") { $0.string(rel.from) }
                w.key("to") { $0.string(rel.to) }
                w.key("refresh") { $0.bool(rel.refresh) }
                w.key("via") { $0.string(rel.via) }
            }
        }
    }
}

/// The JSON of a large catalog, written in parts at once, each into its own buffer and joined
/// in order: the two halves of the resource list and the containment list start when this is
/// made — they need only the resources, which the compiler declares final before it collects
/// and checks the relationships (`Compiler.whenResourcesFinal`), so that can run on the other
/// core meanwhile — and the relationship list is written by `finish`.
public final class CatalogJSONWriting: @unchecked Sendable {
    public let catalog: Catalog
    let pretty: Bool
    /// The resource halves and containment.
    private let early: BackgroundWork<[[UInt8]]>

    public init(_ catalog: Catalog, pretty: Bool) {
        self.catalog = catalog
        self.pretty = pretty
        let resources = catalog.finalResources
        early = BackgroundWork { doneInParts(3) { part in Self.part(part, of: catalog, resources, pretty: pretty) } }
    }

    /// The whole JSON (call once the catalog's relationships are set).
    public func finish() -> [UInt8] {
        let relationships = Self.part(3, of: catalog, [], pretty: pretty)
        let early = early.result()
        // The top-level object up to its third key, whose parts follow at depth 1.
        var out = JSONWriter(pretty: pretty)
        out.buffer.append(UInt8(ascii: "{"))
        out.indent = 1
        out.needsComma = [false]
        out.key("puppet_version") { $0.string("7.23.0") }
        out.key("node") { $0.string(catalog.node) }
        out.buffer.reserveCapacity(out.buffer.count + early.reduce(relationships.count) { $0 + $1.count } + 4)
        for part in early { out.buffer += part }
        out.buffer += relationships
        out.indent = 0
        out.newline()
        out.buffer += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
        return out.buffer
    }

    /// Part 0 and 1: the halves of the resource list; 2: containment; 3: relationships. Each
    /// is written by a writer at depth 1 of the top-level object, after an element.
    static func part(_ part: Int, of catalog: Catalog, _ resources: [CatalogResource], pretty: Bool) -> [UInt8] {
        var p = JSONWriter(pretty: pretty)
        p.indent = 1
        p.needsComma = [true]
        let half = resources.count / 2
        // Room for the part at once (about 512 bytes a resource, 100 an edge): growing by
        // doubling would copy it and leave up to half of it unused.
        p.buffer.reserveCapacity(part < 2 ? (resources.count - half) * 512
                                 : (part == 2 ? catalog.containmentEdges.count : catalog.relationships.count) * 100)
        switch part {
        case 0:
            p.beforeElement(); p.string("resources"); p.raw(pretty ? ": [" : ":[")
            p.indent += 1
            p.needsComma.append(false)
            for r in resources[..<half] { p.beforeElement(); r.write(&p) }
        case 1:
            p.indent += 1
            p.needsComma.append(half > 0)
            for r in resources[half...] { p.beforeElement(); r.write(&p) }
            p.indent -= 1
            p.newline()
            p.buffer.append(UInt8(ascii: "]"))
        case 2:
            p.key("containment") { catalog.writeContainment(&$0) }
        default:
            p.key("relationships") { catalog.writeRelationships(&$0) }
        }
        return p.buffer
    }
}

extension CatalogResource {
    func write(_ w: inout JSONWriter) {
        w.object { w in
            w.constKey("ref"); w.string(ref)
            w.constKey("type"); w.string(type)
            w.constKey("title"); w.string(title)
            w.constKey("exported"); w.bool(exported)
            w.constKey("virtual"); w.bool(virtual)
            w.constKey("file"); if let f = file { w.string(f) } else { w.null() }
            w.constKey("line"); if let l = line { w.int(l) } else { w.null() }
            w.constKey("tags"); w.array(tags.count < 2 ? Array(tags) : tags.sorted(by: utf8Less)) { $0.string($1) }
            writeParameters(&w)
        }
    }

    /// `parameters` and `metaparams` as the oracle prints them: sorted, `name` omitted when it
    /// equals the title (except for classes), relationship metaparameters as reference lists.
    func writeParameters(_ w: inout JSONWriter) {
        let keys = parameters.count < 2 ? Array(parameters.keys) : parameters.keys.sorted(by: utf8Less)
        w.constKey("parameters")
        w.object { w in
            for k in keys where !ResourceTypes.isMetaparameter(k) {
                let v = parameters[k]!
                if k == "name" && type != "Class" && v.interpolated == title { continue }
                w.key(k) { $0.value(v) }
            }
        }
        w.constKey("metaparams")
        w.object { w in
            for k in keys where ResourceTypes.isMetaparameter(k) {
                let v = parameters[k]!
                if ResourceTypes.isRelationshipParameter(k) {
                    w.key(k) { w in w.array(Catalog.flattenRefs(v)) { $0.string(Compiler.canonicalRef($1)) } }
                } else {
                    w.key(k) { $0.value(v) }
                }
            }
        }
    }
}

/// A minimal JSON writer with Ruby's `JSON.pretty_generate` layout (2-space indent), writing
/// UTF-8 bytes into one buffer (catalogs of 100k resources are written quickly).
struct JSONWriter {
    let pretty: Bool
    var buffer: [UInt8] = []
    var indent = 0
    var needsComma: [Bool] = []
    var indents: [[UInt8]] = [[10]]

    init(pretty: Bool) {
        self.pretty = pretty
        buffer.reserveCapacity(1 << 16)
    }

    var text: String { String(decoding: buffer, as: UTF8.self) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    mutating func newline() {
        guard pretty else { return }
        while indents.count <= indent { indents.append(indents[indents.count - 1] + [32, 32]) }
        buffer.append(contentsOf: indents[indent])
    }

    mutating func beforeElement() {
        if needsComma.last == true { buffer.append(UInt8(ascii: ",")) }
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
        newline()
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        buffer.append(UInt8(ascii: "{"))
        indent += 1
        needsComma.append(false)
        body(&self)
        let had = needsComma.removeLast()
        indent -= 1
        if had || pretty { newline() }
        buffer.append(UInt8(ascii: "}"))
    }

    /// A key known to need no escaping, then the value is written by the caller.
    mutating func constKey(_ k: StaticString) {
        beforeElement()
        buffer.append(UInt8(ascii: "\""))
        raw(k)
        if pretty { raw("\": ") } else { raw("\":") }
    }

    mutating func key(_ k: String, _ body: (inout JSONWriter) -> Void) {
        beforeElement()
        string(k)
        if pretty { raw(": ") } else { buffer.append(UInt8(ascii: ":")) }
        body(&self)
    }

    mutating func array<T>(_ items: [T], _ body: (inout JSONWriter, T) -> Void) {
        buffer.append(UInt8(ascii: "["))
        indent += 1
        needsComma.append(false)
        for item in items {
            beforeElement()
            body(&self, item)
        }
        let had = needsComma.removeLast()
        indent -= 1
        if had || pretty { newline() }
        buffer.append(UInt8(ascii: "]"))
    }

    mutating func string(_ s: String) { JSONText.appendQuoted(s, to: &buffer) }
    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }
    mutating func int(_ i: Int) { buffer.append(contentsOf: String(i).utf8) }
    mutating func null() { raw("null") }

    mutating func value(_ v: Value) {
        switch v {
        case .undef: null()
        case let .boolean(b): bool(b)
        case let .integer(i): int(i)
        case let .float(f): buffer.append(contentsOf: Value.floatString(f).utf8)
        case let .string(s): string(s)
        case let .array(a): array(a) { w, x in w.value(x) }
        case let .hash(h): object { w in for (k, x) in h.pairs { w.key(k.interpolated) { $0.value(x) } } }
        case .type:
            string(v.referenceString.map(Compiler.canonicalRef) ?? v.interpolated)
        default: string(v.interpolated)
        }
    }
}

/// JSON text helpers: quoting and a small parser (for facts files and tests).
public enum JSONText {
    /// Appends `s` as a JSON string literal (most strings need no escaping and are copied whole).
    static func appendQuoted(_ s: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // A string that needs no escape is copied whole (a DEL alone stays as it is);
            // otherwise escaped as YAMLEncoder.quote escapes it.
            if bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                YAMLEncoder.appendEscaped(bytes, to: &buffer)
            } else {
                buffer.append(contentsOf: bytes)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    public static func quote(_ s: String) -> String { YAMLEncoder.quote(s) }

    public static func parse(_ text: String, path: String) throws -> Value {
        var p = Reader(bytes: Array(text.utf8), path: path)
        let v = try p.value()
        p.skip()
        guard p.i == p.bytes.count else { throw p.fail("trailing characters") }
        return v
    }

    struct Reader {
        let bytes: [UInt8]
        let path: String
        var i = 0

        func fail(_ m: String) -> CompileError { CompileError("\(path): invalid JSON at byte \(i): \(m)") }

        mutating func skip() { while i < bytes.count, [9, 10, 13, 32].contains(bytes[i]) { i += 1 } }

        mutating func value() throws -> Value {
            skip()
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var h = OrderedHash()
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .hash(h) }
                while true {
                    skip()
                    guard case let .string(k) = try value() else { throw fail("object key must be a string") }
                    skip()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    h[.string(k)] = try value()
                    skip()
                    guard i < bytes.count else { throw fail("unexpected end") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .hash(h) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [Value] = []
                skip()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    a.append(try value())
                    skip()
                    guard i < bytes.count else { throw fail("unexpected end") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                i += 1
                var out: [UInt8] = []
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        i += 1
                        switch bytes[i] {
                        case UInt8(ascii: "n"): out.append(10)
                        case UInt8(ascii: "t"): out.append(9)
                        case UInt8(ascii: "r"): out.append(13)
                        case UInt8(ascii: "b"): out.append(8)
                        case UInt8(ascii: "f"): out.append(12)
                        case UInt8(ascii: "u"):
                            guard i + 4 < bytes.count, let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
                            i += 4
                            out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "?").utf8)
                        default: out.append(bytes[i])
                        }
                        i += 1
                        continue
                    }
                    out.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw fail("unterminated string") }
                i += 1
                return .string(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "t"): i += 4; return .boolean(true)
            case UInt8(ascii: "f"): i += 5; return .boolean(false)
            case UInt8(ascii: "n"): i += 4; return .undef
            default:
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                let s = String(decoding: bytes[start..<i], as: UTF8.self)
                if let n = Int(s) { return .integer(n) }
                if let f = Double(s) { return .float(f) }
                throw fail("unexpected character")
            }
        }
    }
}
