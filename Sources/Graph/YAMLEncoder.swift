import Dispatch
import Synchronization

/// Writes a graph as mgmt YAML, deterministically: kinds, resources, parameters (name first)
/// and edges sorted; strings double-quoted (JSON-style escapes, which YAML reads as they are);
/// nothing that depends on the machine or the time.
public enum YAMLEncoder {
    public static func encode(_ graph: Graph) -> String {
        var out = YAMLBytes()
        encode(graph, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Appends the graph's YAML to a byte buffer (what `encode` and atomic writers use: no
    /// intermediate strings per line).
    /// `halvesFrom`: this many edges are written in two halves at once, beside the resources
    /// (tests set it low to compare both ways).
    public static func encode(_ graph: Graph, into out: inout YAMLBytes, halvesFrom: Int = 4096) {
        let parts = encodeParts(graph, halvesFrom: halvesFrom)
        out.reserve(parts.reduce(0) { $0 + $1.count })
        for part in parts { out.append(part) }
    }

    /// The graph's YAML in parts, to be written one after another (a large graph's parts are
    /// made at once; writing them in turn spares joining megabytes into one more buffer).
    /// `inCodecOrder`: the caller knows the resources and edges are in the codec's order
    /// (`Graph.normalized(resourcesAndEdgesInOrder:)`), which is then not checked again.
    public static func encodeParts(_ graph: Graph, halvesFrom: Int = 4096, inCodecOrder: Bool = false) -> [ByteBuffer] {
        let collected = Mutex<[ByteBuffer]>([])
        let parts = InOrderParts { part in collected.withLock { $0.append(part) }; return true }
        encodeParts(graph, halvesFrom: halvesFrom, inCodecOrder: inCodecOrder, into: parts)
        _ = parts.close()
        return collected.withLock { $0 }
    }

    /// The graph's YAML handed to `parts` in order, each part as soon as it and those before
    /// it are done, on the thread that finished it: the first parts of a large graph are
    /// written out while its last are still being made.
    public static func encodeParts(_ graph: Graph, halvesFrom: Int = 4096, inCodecOrder: Bool = false, into parts: InOrderParts) {
        let g = graph.normalized(halvesFrom: halvesFrom, resourcesAndEdgesInOrder: inCodecOrder)
        let ends = g.edgeEndsHint.flatMap { $0.count == g.edges.count ? $0 : nil }
        var out = YAMLBytes(capacity: 1 << 12)
        out.raw("---\ngraph: "); out.quoted(g.name); out.raw("\n")
        if let c = g.comment { out.raw("comment: "); out.quoted(c); out.raw("\n") }
        // A large graph's resources and the two halves of its edges (most of its bytes) are
        // written at once — or only the halves, when the resources are being written already
        // (translate begins them before the edges exist: `resourcesYAMLHint`), which are
        // handed over when done, on their own thread, or here if they are done already.
        if g.edges.count >= max(halvesFrom, 2) {
            let header = parts.place(), resources = parts.place(), label = parts.place()
            let halfPlaces = [parts.place(), parts.place()], tail = parts.place()
            parts.fill(header, [out.buffer])
            let edgesLine = YAMLBytes(capacity: 16)
            edgesLine.raw("edges:\n")
            parts.fill(label, [edgesLine.buffer])
            let halves = [0..<(g.edges.count / 2), (g.edges.count / 2)..<g.edges.count]
            let perEdge = edgeBytesEstimate(g.resources)
            func half(_ h: Range<Int>) -> ByteBuffer {
                PhaseClock.event("edges yaml half start"); defer { PhaseClock.event("edges yaml half end") }
                var bytes = YAMLBytes()
                bytes.reserve(h.count * perEdge)
                writeEdges(g.edges[h], ends: ends?[h], resources: g.resources, into: &bytes)
                return bytes.buffer
            }
            if let hint = g.resourcesYAMLHint {
                let list = g.resources
                _ = doneInParts(2) { k in
                    // (Once the other half is under way: the section is written out here when
                    // it is done already.)
                    if k == 0 { hint.whenWritten(for: list) { written in parts.fill(resources, written ?? [resourcesSection(list)]) } }
                    parts.fill(halfPlaces[k], [half(halves[k])])
                }
            } else {
                _ = doneInParts(3) { k in
                    if k == 0 { parts.fill(resources, [resourcesSection(g.resources)]) } else { parts.fill(halfPlaces[k - 1], [half(halves[k - 1])]) }
                }
            }
            out = YAMLBytes(capacity: 1 << 12)
            writeCollect(g, into: &out)
            parts.fill(tail, [out.buffer])
        } else {
            out.reserve(g.resources.count * 120 + g.edges.count * edgeBytesEstimate(g.resources))
            writeResources(g.resources, into: &out)
            out.raw(g.edges.isEmpty ? "edges: []\n" : "edges:\n")
            writeEdges(g.edges[...], ends: ends?[...], resources: g.resources, into: &out)
            writeCollect(g, into: &out)
            parts.fill(parts.place(), [out.buffer])
        }
    }

    static func writeCollect(_ g: Graph, into out: inout YAMLBytes) {
        guard !g.collect.isEmpty else { return }
        out.raw("collect:\n")
        for c in g.collect {
            out.raw("- kind: "); out.quoted(c.kind)
            out.raw("\n  pattern: "); out.quoted(c.pattern); out.raw("\n")
        }
    }

    /// About how many bytes an edge takes (a little more, rather than less: a buffer short of
    /// room copies all it holds): its fixed lines, a short name, two ends of resources' average
    /// kind and name. (110, a guess, was short by a fifth for generated manifests: two copies of
    /// megabytes.)
    static func edgeBytesEstimate(_ resources: [Resource]) -> Int {
        guard !resources.isEmpty else { return 110 }
        var words = 0
        for r in resources { words += r.kind.utf8.count + r.name.utf8.count }
        return 56 + 2 * (24 + words / resources.count)
    }

    /// The `resources:` section alone, in a buffer of its own (room made for all of it).
    static func resourcesSection(_ resources: [Resource]) -> ByteBuffer {
        var bytes = YAMLBytes(capacity: resources.count * 120)
        writeResources(resources, into: &bytes)
        return bytes.buffer
    }

    /// The `resources:` section in buffers to be written one after another: a large one in two
    /// halves written at once (the section of a 10k translate is ~2 ms of work, the last to
    /// finish).
    static func resourcesSectionParts(_ resources: [Resource], halvesFrom: Int = 4096) -> [ByteBuffer] {
        guard resources.count >= max(halvesFrom, 2) else { return [resourcesSection(resources)] }
        let mid = resources.count / 2
        return doneInParts(2) { k in
            let range = k == 0 ? 0..<mid : mid..<resources.count
            var bytes = YAMLBytes(capacity: range.count * 120)
            writeResources(resources, range, into: &bytes)
            return bytes.buffer
        }
    }

    static func writeResources(_ resources: [Resource], into out: inout YAMLBytes) {
        writeResources(resources, resources.indices, into: &out)
    }

    /// The section's lines for `range` of the resources: its `resources:` line if the range
    /// begins the list, a kind's line where the kind changes (or the range begins inside it).
    static func writeResources(_ resources: [Resource], _ range: Range<Int>, into out: inout YAMLBytes) {
        if range.lowerBound == 0 { out.raw(resources.isEmpty ? "resources: {}\n" : "resources:\n") }
        var currentKind: String? = range.lowerBound > 0 ? resources[range.lowerBound - 1].kind : nil
        var sortedKeys = SortedKeyOrders()
        for i in range {
            let r = resources[i]
            if r.kind != currentKind {
                out.lit("  "); out.raw(r.kind); out.lit(":\n")
                currentKind = r.kind
            }
            out.lit("  - name: "); out.quoted(r.name); out.lit("\n")
            let params = r.params
            sortedKeys.withPlacesSortedByKey(params) { order in
                for place in order {
                    let (key, value) = params.entries[place]
                    write(key, value, indent: "    ", into: &out)
                }
            }
            if let m = r.meta, !m.isEmpty {
                out.raw("    meta:\n")
                if let v = m.autoedge { out.raw("      autoedge: \(v)\n") }
                if let v = m.burst { out.raw("      burst: \(v)\n") }
                if let v = m.delay { out.raw("      delay: \(v)\n") }
                if let v = m.limit { out.raw("      limit: \(v)\n") }
                if let v = m.noop { out.raw("      noop: \(v)\n") }
                if let v = m.poll { out.raw("      poll: \(v)\n") }
                if let v = m.retry { out.raw("      retry: \(v)\n") }
                if let v = m.sema {
                    out.raw(v.isEmpty ? "      sema: []\n" : "      sema:\n")
                    for s in v { out.raw("      - "); out.quoted(s); out.raw("\n") }
                }
                if let v = m.timeout { out.raw("      timeout: \(v)\n") }
            }
        }
    }

    /// `ends`: the graph's `edgeEndsHint` for these edges, if it has one (`resources` are the
    /// graph's): an end it names, once checked, has its lines quoted once and copied after.
    static func writeEdges(_ edges: ArraySlice<Edge>, ends: ArraySlice<Graph.EdgeEnds>? = nil, resources: [Resource] = [],
                           into out: inout YAMLBytes) {
        // Read in place: a copy of an edge (or resource) retains each of its strings.
        resources.withUnsafeBufferPointer { resources in
            edges.withUnsafeBufferPointer { edges in
                var lines = EndLines(resources: ends == nil ? UnsafeBufferPointer(start: nil, count: 0) : resources)
                for n in edges.indices {
                    // The usual edge, of two hinted ends and a name with nothing to escape:
                    // its bytes counted and copied into place at once.
                    if let ends, lines.writeWhole(edges.baseAddress! + n, from: Int(ends[ends.startIndex + n].from),
                                                  to: Int(ends[ends.startIndex + n].to), into: out.buffer) { continue }
                    out.lit("- name: "); out.quoted(edges[n].name)
                    out.lit("\n  from:\n")
                    lines.write(edges[n].from, at: ends.map { Int($0[$0.startIndex + n].from) }, into: out)
                    out.lit("  to:\n")
                    lines.write(edges[n].to, at: ends.map { Int($0[$0.startIndex + n].to) }, into: out)
                    if edges[n].notify { out.lit("  notify: true\n") }
                }
            }
        }
    }

    /// An edge end's two lines (`    kind: "…"` and `    name: "…"`), kept per resource: most
    /// resources are an end of several edges.
    struct EndLines {
        let resources: UnsafeBufferPointer<Resource>
        let made = ByteBuffer(capacity: 1 << 12)
        /// Each resource's lines in `made` (start, length), or -1 when not made yet.
        var start: [Int32], length: [Int32]

        init(resources: UnsafeBufferPointer<Resource>) {
            self.resources = resources
            start = [Int32](repeating: -1, count: resources.count)
            length = [Int32](repeating: 0, count: resources.count)
        }

        static func write(_ ref: Ref, into out: ByteBuffer) {
            out.append("    kind: " as StaticString); YAMLBytes(out).quoted(ref.kind)
            out.append("\n    name: " as StaticString); YAMLBytes(out).quoted(ref.name)
            out.append(UInt8(ascii: "\n"))
        }

        /// `ready`, with the end's two strings compared as the words they are stored as, read
        /// in place: no copy of them, so no reference count is touched. The two halves of the
        /// edges are written at once, and most edges have an end in the main class's whits:
        /// a retain and release of those few strings from both threads for every edge made
        /// their counts' cache line go back and forth between the cores.
        mutating func ready(end: UnsafeRawPointer, at place: Int) -> Bool {
            guard place >= 0, place < resources.count, let base = resources.baseAddress, made.count < Int(Int32.max) else { return false }
            let resource = UnsafeRawPointer(base + place)
            let (kind, name) = (EndLines.resourceKind, EndLines.resourceName)
            guard resource.load(fromByteOffset: kind, as: (UInt64, UInt64).self) == end.load(fromByteOffset: EndLines.refKind, as: (UInt64, UInt64).self),
                  resource.load(fromByteOffset: name, as: (UInt64, UInt64).self) == end.load(fromByteOffset: EndLines.refName, as: (UInt64, UInt64).self)
            else { return false }
            // (Made once per resource; the Ref, whose strings a copy retains, only then.)
            if start[place] < 0 { makeLines(place, Ref(kind: resources[place].kind, name: resources[place].name)) }
            return true
        }

        /// Resource `place`'s two lines, written into `made` the first time they are asked for.
        mutating func makeLines(_ place: Int, _ ref: borrowing Ref) {
            guard start[place] < 0 else { return }
            let before = made.count
            Self.write(copy ref, into: made)
            (start[place], length[place]) = (Int32(before), Int32(made.count - before))
        }

        static let resourceKind = MemoryLayout<Resource>.offset(of: \Resource.kind)!
        static let resourceName = MemoryLayout<Resource>.offset(of: \Resource.name)!
        static let refKind = MemoryLayout<Ref>.offset(of: \Ref.kind)!
        static let refName = MemoryLayout<Ref>.offset(of: \Ref.name)!
        static let edgeFrom = MemoryLayout<Edge>.offset(of: \Edge.from)!
        static let edgeTo = MemoryLayout<Edge>.offset(of: \Edge.to)!

        /// The whole of `edge` as `writeEdges` writes it, when both ends are where the hint says
        /// and its name needs no escape (false, and nothing written, otherwise).
        mutating func writeWhole(_ edge: UnsafePointer<Edge>, from: Int, to: Int, into out: ByteBuffer) -> Bool {
            let raw = UnsafeRawPointer(edge)
            guard ready(end: raw + EndLines.edgeFrom, at: from), ready(end: raw + EndLines.edgeTo, at: to) else { return false }
            let notifies = edge.pointee.notify
            return withUTF8Bytes(of: edge.pointee.name) { name in
                guard !needsEscape(name, del: true) else { return false }
                let head: StaticString = "- name: \"", mid: StaticString = "\"\n  from:\n", toLine: StaticString = "  to:\n"
                let notify: StaticString = "  notify: true\n"
                let (f, fn, t, tn) = (Int(start[from]), Int(length[from]), Int(start[to]), Int(length[to]))
                let size = head.utf8CodeUnitCount + name.count + mid.utf8CodeUnitCount + fn + toLine.utf8CodeUnitCount + tn
                    + (notifies ? notify.utf8CodeUnitCount : 0)
                out.reserve(size)
                var p = out.base + out.used
                func put(_ s: StaticString) {
                    p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
                    p += s.utf8CodeUnitCount
                }
                func put(_ from: UnsafePointer<UInt8>, _ n: Int) {
                    p.update(from: from, count: n)
                    p += n
                }
                put(head)
                if let b = name.baseAddress { put(b, name.count) }
                put(mid)
                put(made.base + f, fn)
                put(toLine)
                put(made.base + t, tn)
                if notifies { put(notify) }
                out.used += size
                return true
            }
        }

        /// `place`: where the hint says `ref` is among the resources (nil: no hint). Used only
        /// when that resource's kind and name are the very strings of `ref` (the same words:
        /// the mapper makes each edge's ends from its resources); else `ref` is quoted.
        mutating func write(_ ref: borrowing Ref, at place: Int?, into out: YAMLBytes) {
            guard let place, place >= 0, place < resources.count, sameWords(resources[place].kind, ref.kind),
                  sameWords(resources[place].name, ref.name), made.count < Int(Int32.max) else {
                return Self.write(copy ref, into: out.buffer)
            }
            makeLines(place, ref)
            out.buffer.append(UnsafeBufferPointer(start: made.base + Int(start[place]), count: Int(length[place])))
        }
    }

    static func write(_ key: String, _ v: GraphValue, indent: String, into out: inout YAMLBytes) {
        switch v {
        case let .list(items):
            out.raw(indent); out.raw(key)
            if items.isEmpty { out.raw(": []\n"); return }
            out.raw(":\n")
            for i in items {
                out.raw(indent); out.lit("- ")
                if case let .string(s) = i { out.quoted(s) } else { out.raw(scalar(i)) }
                out.lit("\n")
            }
        case let .map(m):
            out.raw(indent); out.raw(key)
            if m.isEmpty { out.raw(": {}\n"); return }
            out.raw(":\n")
            for k in m.keys.sorted(by: utf8Less) { write(k, m[k]!, indent: indent + "  ", into: &out) }
        case let .string(s):
            out.raw(indent); out.raw(key); out.lit(": "); out.quoted(s); out.lit("\n")
        default:
            out.raw(indent); out.raw(key); out.raw(": "); out.raw(scalar(v)); out.raw("\n")
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
        case let .map(m): return "{" + m.keys.sorted(by: utf8Less).map { "\(quote($0)): \(scalar(m[$0]!))" }.joined(separator: ", ") + "}"
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

    /// The body of a double-quoted string with `quote`'s escapes (also DEL, as `\u007f`),
    /// appended byte by byte: what YAMLBytes and the catalog's JSON write for a string that
    /// needs escaping, without a String per string.
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: ByteBuffer) {
        for c in bytes {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 10: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 13: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 9: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "u")); out.append(0x30); out.append(0x30)
                out.append(hexDigits[Int(c >> 4)]); out.append(hexDigits[Int(c & 15)])
            default: out.append(c)
            }
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A graph's `resources:` section written on another thread, begun before the graph is
/// finished (`Graph.resourcesYAMLHint`), with the list it was written from.
public final class ResourcesYAML: @unchecked Sendable {
    private struct State {
        var written: (resources: [Resource], bytes: [ByteBuffer])?
        var then: (@Sendable ((resources: [Resource], bytes: [ByteBuffer])) -> Void)?
    }
    private let state = Mutex(State())

    /// Starts a thread that waits for `resources()` and writes them.
    public init(writing resources: @escaping @Sendable () -> [Resource]) {
        detachThread(stackSize: 8 << 20) { [self] in
            let list = resources()
            PhaseClock.event("resources yaml start")
            let done = (list, YAMLEncoder.resourcesSectionParts(list))
            PhaseClock.event("resources yaml end")
            let then = state.withLock { st in
                st.written = done
                defer { st.then = nil }
                return st.then
            }
            then?(done)
        }
    }

    /// Calls `body` with the section once it is written — here, if it is already, else on
    /// the thread that writes it — if it was written from this very list (the same storage,
    /// which this holds on to, so it cannot have been changed or reused since); else with nil.
    func whenWritten(for resources: [Resource], _ body: @escaping @Sendable ([ByteBuffer]?) -> Void) {
        let check: @Sendable ((resources: [Resource], bytes: [ByteBuffer])) -> Void = { written in
            let same = written.resources.count == resources.count && written.resources.withUnsafeBufferPointer { a in
                resources.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
            }
            body(same ? written.bytes : nil)
        }
        let done = state.withLock { st -> (resources: [Resource], bytes: [ByteBuffer])? in
            if st.written == nil {
                precondition(st.then == nil, "one caller waits for the section")
                st.then = check
            }
            return st.written
        }
        if let done { check(done) }
    }
}

/// The parts of one output, handed over in the output's order as each is done: a part is
/// placed first (`place`, in order), filled later on any thread (`fill`), and passed to `write`
/// as soon as every part before it was — by the thread whose fill let it go, one thread at a
/// time, so that a thread finishing a later part never waits for a write.
public final class InOrderParts: @unchecked Sendable {
    private struct State {
        var parts: [[ByteBuffer]?] = []
        var next = 0
        var writing = false, closed = false, failed = false
        /// Nothing more will be written: all was, or a write failed (and none is under way).
        var settled: Bool { !writing && (failed || next == parts.count) }
    }
    private let state = Mutex(State())
    private let write: @Sendable (ByteBuffer) -> Bool
    private let allWritten = DispatchSemaphore(value: 0)

    /// `write` returns false when it failed: no part after that one is written.
    public init(write: @escaping @Sendable (ByteBuffer) -> Bool) { self.write = write }

    /// The next place in the output.
    public func place() -> Int { state.withLock { $0.parts.append(nil); return $0.parts.count - 1 } }

    /// Place `i` is done: written now if every place before it was, else after them.
    public func fill(_ i: Int, _ buffers: [ByteBuffer]) {
        var ready: [ByteBuffer] = state.withLock { st in
            precondition(st.parts[i] == nil && i >= st.next, "place \(i) filled twice")
            st.parts[i] = buffers
            guard !st.writing, !st.failed else { return [] }
            let ready = Self.take(&st)
            st.writing = !ready.isEmpty
            // (A place filled with nothing may have been the last one `close` waits for.)
            if ready.isEmpty, st.closed, st.settled { allWritten.signal() }
            return ready
        }
        while !ready.isEmpty {
            var ok = true
            for b in ready where ok { ok = write(b) }
            ready = state.withLock { st in
                if !ok { st.failed = true }
                let more = st.failed ? [] : Self.take(&st)
                if more.isEmpty {
                    st.writing = false
                    if st.closed, st.settled { allWritten.signal() }
                }
                return more
            }
        }
    }

    /// The parts that may go now (under the lock).
    private static func take(_ st: inout State) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        while st.next < st.parts.count, let p = st.parts[st.next] {
            out += p
            st.parts[st.next] = []
            st.next += 1
        }
        return out
    }

    /// No more places: waits until every one is filled and written (some may be filled on
    /// other threads still). False if a write failed.
    public func close() -> Bool {
        let wait = state.withLock { st -> Bool in
            st.closed = true
            return !st.settled
        }
        if wait { allWritten.wait() }
        return state.withLock { !$0.failed }
    }
}

/// The encoder's output buffer: bytes appended in place.
public struct YAMLBytes {
    public let buffer: ByteBuffer
    public init(capacity: Int = 1 << 16) { buffer = ByteBuffer(capacity: capacity) }
    /// Writing into a buffer that exists.
    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    /// The bytes written so far, as an array (a copy).
    public var bytes: [UInt8] { buffer.bytes }

    func reserve(_ n: Int) { buffer.reserve(n) }

    func append(_ other: ByteBuffer) { buffer.append(other) }

    func raw(_ s: String) { buffer.append(s) }

    /// A literal (no String made for it).
    func lit(_ s: StaticString) { buffer.append(s) }

    /// A double-quoted scalar, as `YAMLEncoder.quote` writes it.
    func quoted(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        buffer.appendEscapedBody(s, escapingDEL: true)
        buffer.append(UInt8(ascii: "\""))
    }
}
