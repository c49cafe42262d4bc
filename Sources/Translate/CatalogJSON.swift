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
        jsonBuffer(pretty: pretty, halvesFrom: halvesFrom).bytes
    }

    /// The JSON in a byte buffer (what the CLI writes out, without another copy).
    public func jsonBuffer(pretty: Bool = true, halvesFrom: Int = 4096) -> ByteBuffer {
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
                w.constKey("\"from\": ", "\"from\":"); w.string(e.from)
                w.constKey("\"to\": ", "\"to\":"); w.string(e.to)
            }
        }
    }

    func writeRelationships(_ w: inout JSONWriter) {
        w.array(relationships) { w, rel in
            w.object { w in
                w.constKey("\"from\": ", "\"from\":"); w.string(rel.from)
                w.constKey("\"to\": ", "\"to\":"); w.string(rel.to)
                w.constKey("\"refresh\": ", "\"refresh\":"); w.bool(rel.refresh)
                w.constKey("\"via\": ", "\"via\":"); w.string(rel.via)
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
    private let early: BackgroundWork<[ByteBuffer]>

    public init(_ catalog: Catalog, pretty: Bool) {
        self.catalog = catalog
        self.pretty = pretty
        let resources = catalog.finalResources
        early = BackgroundWork { doneInParts(3) { part in Self.part(part, of: catalog, resources, pretty: pretty) } }
    }

    /// The whole JSON (call once the catalog's relationships are set).
    public func finish() -> ByteBuffer {
        let parts = finishParts()
        let out = ByteBuffer(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { out.append(part) }
        return out
    }

    /// The whole JSON in parts, to be written one after another (no joining of megabytes).
    public func finishParts() -> [ByteBuffer] {
        let relationships = Self.part(3, of: catalog, [], pretty: pretty)
        let early = early.result()
        // The top-level object up to its third key, whose parts follow at depth 1.
        var head = JSONWriter(pretty: pretty, capacity: 256)
        head.buffer.append(UInt8(ascii: "{"))
        head.indent = 1
        head.needsComma = CommaStack([false])
        head.key("puppet_version") { $0.string("7.23.0") }
        head.key("node") { $0.string(catalog.node) }
        var tail = JSONWriter(pretty: pretty, capacity: 16)
        tail.newline()
        tail.buffer.append(UInt8(ascii: "}"))
        tail.buffer.append(UInt8(ascii: "\n"))
        return [head.buffer] + early + [relationships, tail.buffer]
    }

    /// Part 0 and 1: the halves of the resource list; 2: containment; 3: relationships. Each
    /// is written by a writer at depth 1 of the top-level object, after an element.
    static func part(_ part: Int, of catalog: Catalog, _ resources: [CatalogResource], pretty: Bool) -> ByteBuffer {
        let capacity = part < 2 ? (resources.count - resources.count / 2) * 512
            : (part == 2 ? catalog.containmentEdges.count : catalog.relationships.count) * 100
        var p = JSONWriter(pretty: pretty, capacity: capacity)
        p.indent = 1
        p.needsComma = CommaStack([true])
        let half = resources.count / 2
        switch part {
        case 0:
            p.beforeElement(); p.string("resources"); p.raw(pretty ? ": [" : ":[")
            p.indent += 1
            p.needsComma.push(false)
            for r in resources[..<half] { p.beforeElement(); r.write(&p) }
        case 1:
            p.indent += 1
            p.needsComma.push(half > 0)
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
            w.constKey("\"ref\": ", "\"ref\":"); w.string(ref)
            w.constKey("\"type\": ", "\"type\":"); w.string(type)
            w.constKey("\"title\": ", "\"title\":"); w.string(title)
            w.constKey("\"exported\": ", "\"exported\":"); w.bool(exported)
            w.constKey("\"virtual\": ", "\"virtual\":"); w.bool(virtual)
            w.constKey("\"file\": ", "\"file\":"); if let f = file { w.string(f) } else { w.null() }
            w.constKey("\"line\": ", "\"line\":"); if let l = line { w.int(l) } else { w.null() }
            w.constKey("\"tags\": ", "\"tags\":"); w.array(tags.sorted) { $0.string($1) }
            writeParameters(&w)
        }
    }

    /// `parameters` and `metaparams` as the oracle prints them: sorted, `name` omitted when it
    /// equals the title (except for classes), relationship metaparameters as reference lists.
    func writeParameters(_ w: inout JSONWriter) {
        // Sorted by name without an array (`withPlacesSortedByKey`, or an order met before); two passes: parameters,
        // then metaparameters.
        let params = parameters
        // Taken out of the writer while in use (the writer is written to meanwhile).
        var keyOrders = SortedKeyOrders()
        swap(&keyOrders, &w.keyOrders)
        defer { swap(&keyOrders, &w.keyOrders) }
        keyOrders.withPlacesSortedByKey(params) { order in
            w.constKey("\"parameters\": ", "\"parameters\":")
            w.object { w in
                for place in order {
                    let (name, v) = params.entries[place]
                    if ResourceTypes.isMetaparameter(name) { continue }
                    if name == "name" && type != "Class" && v.interpolated == title { continue }
                    w.key(name) { $0.value(v) }
                }
            }
            w.constKey("\"metaparams\": ", "\"metaparams\":")
            w.object { w in
                for place in order {
                    let (name, v) = params.entries[place]
                    guard ResourceTypes.isMetaparameter(name) else { continue }
                    writeMetaparameter(name, v, &w)
                }
            }
        }
    }

    private func writeMetaparameter(_ k: String, _ v: Value, _ w: inout JSONWriter) {
        guard ResourceTypes.isRelationshipParameter(k) else { return w.key(k) { $0.value(v) } }
        // One reference (the usual case) needs no list; a typed one already spelt as the
        // catalog spells it is written without a String made for it.
        if case let .type(t) = v, let (type, title) = t.resourceReference, PType.isCanonicalResourceTypeName(type),
           title.utf8.first != UInt8(ascii: "'") {
            return w.key(k) { $0.arrayOfOne { $0.reference(type, title) } }
        }
        if let one = Catalog.singleRef(v) {
            w.key(k) { $0.arrayOfOne { $0.string(Compiler.canonicalRef(one)) } }
        } else {
            w.key(k) { w in w.array(Catalog.flattenRefs(v)) { $0.string(Compiler.canonicalRef($1)) } }
        }
    }
}

/// A minimal JSON writer with Ruby's `JSON.pretty_generate` layout (2-space indent), writing
/// UTF-8 bytes into one buffer (catalogs of 100k resources are written quickly: the 10k
/// catalog is ~7 MB, so every call here runs a few hundred thousand times).
struct JSONWriter {
    let pretty: Bool
    let buffer: ByteBuffer
    var indent = 0
    var needsComma = CommaStack()
    /// The resources' sorted parameter orders met so far (a writer goes through thousands).
    var keyOrders = SortedKeyOrders()

    /// `capacity`: room for the whole text at once, when it is known roughly (about 512 bytes
    /// a resource, 100 an edge): growing by doubling would copy it and leave up to half unused.
    init(pretty: Bool, capacity: Int = 1 << 16) {
        self.pretty = pretty
        buffer = ByteBuffer(capacity: capacity)
    }

    var text: String { String(decoding: buffer.bytes, as: UTF8.self) }

    mutating func raw(_ s: StaticString) {
        buffer.append(s)
    }

    /// A newline and the indentation (no array per depth).
    mutating func newline() {
        guard pretty else { return }
        buffer.append(10)
        buffer.append(repeating: 32, count: indent * 2)
    }

    mutating func beforeElement() {
        if needsComma.setLast() { buffer.append(UInt8(ascii: ",")) }
        newline()
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        buffer.append(UInt8(ascii: "{"))
        indent += 1
        needsComma.push(false)
        body(&self)
        let had = needsComma.pop()
        indent -= 1
        if had || pretty { newline() }
        buffer.append(UInt8(ascii: "}"))
    }

    /// A key known to need no escaping, quoted and with its colon in each layout (`"ref": `,
    /// `"ref":`); the value is written by the caller.
    mutating func constKey(_ prettyKey: StaticString, _ compactKey: StaticString) {
        beforeElement()
        raw(pretty ? prettyKey : compactKey)
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
        needsComma.push(false)
        for item in items {
            beforeElement()
            body(&self, item)
        }
        let had = needsComma.pop()
        indent -= 1
        if had || pretty { newline() }
        buffer.append(UInt8(ascii: "]"))
    }

    /// A list of one element, as `array([x])` writes it (no array made for it).
    mutating func arrayOfOne(_ element: (inout JSONWriter) -> Void) {
        buffer.append(UInt8(ascii: "["))
        indent += 1
        newline()
        element(&self)
        indent -= 1
        newline()
        buffer.append(UInt8(ascii: "]"))
    }

    /// `Type[title]` as `string(Catalog.key(type, title))` writes it (no string made for it).
    mutating func reference(_ type: String, _ title: String) {
        buffer.append(UInt8(ascii: "\""))
        JSONText.appendEscapedBody(type, to: buffer)
        buffer.append(UInt8(ascii: "["))
        JSONText.appendEscapedBody(title, to: buffer)
        buffer.append(UInt8(ascii: "]"))
        buffer.append(UInt8(ascii: "\""))
    }

    mutating func string(_ s: String) { JSONText.appendQuoted(s, to: buffer) }
    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }
    mutating func null() { raw("null") }

    /// Decimal digits written in place (no String per number).
    mutating func int(_ i: Int) {
        if i < 0 {
            guard i != .min else { buffer.append(String(i)); return }
            buffer.append(UInt8(ascii: "-"))
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = i.magnitude, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0
            buffer.append(UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    mutating func value(_ v: Value) {
        switch v {
        case .undef: null()
        case let .boolean(b): bool(b)
        case let .integer(i): int(i)
        case let .float(f): buffer.append(Value.floatString(f))
        case let .string(s): string(s)
        case let .array(a): array(a) { w, x in w.value(x) }
        case let .hash(h): object { w in for (k, x) in h.pairs { w.key(k.interpolated) { $0.value(x) } } }
        case .type:
            string(v.referenceString.map(Compiler.canonicalRef) ?? v.interpolated)
        default: string(v.interpolated)
        }
    }
}

/// For each open JSON container, innermost last: has it an element yet (so the next one needs
/// a comma)? One bit a level for the first 64 levels, an array beyond.
struct CommaStack {
    private var bits: UInt64 = 0
    private var depth = 0
    private var deeper: [Bool] = []

    init() {}
    /// The containers already open, outermost first.
    init(_ levels: [Bool]) { for l in levels { push(l) } }

    mutating func push(_ hasElement: Bool) {
        if depth < 64 {
            if hasElement { bits |= 1 << UInt64(depth) } else { bits &= ~(1 << UInt64(depth)) }
        } else {
            deeper.append(hasElement)
        }
        depth += 1
    }

    /// Closes the innermost container: whether it had an element.
    mutating func pop() -> Bool {
        depth -= 1
        if depth >= 64 { return deeper.removeLast() }
        return bits & (1 << UInt64(depth)) != 0
    }

    /// Marks the innermost container as having an element: whether it had one already (none
    /// is open at the top level: false).
    mutating func setLast() -> Bool {
        guard depth > 0 else { return false }
        let level = depth - 1
        if level >= 64 {
            defer { deeper[level - 64] = true }
            return deeper[level - 64]
        }
        let had = bits & (1 << UInt64(level)) != 0
        bits |= 1 << UInt64(level)
        return had
    }
}

/// JSON text helpers: quoting and a small parser (for facts files and tests).
public enum JSONText {
    /// Appends `s` as a JSON string literal (most strings need no escaping and are copied whole).
    static func appendQuoted(_ s: String, to buffer: ByteBuffer) {
        buffer.append(UInt8(ascii: "\""))
        appendEscapedBody(s, to: buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// A string's bytes as they go between the quotes; a DEL alone stays as it is (the JSON
    /// reader takes it).
    static func appendEscapedBody(_ s: String, to buffer: ByteBuffer) {
        buffer.appendEscapedBody(s, escapingDEL: false)
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
