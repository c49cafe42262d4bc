/// A reader for the block-style YAML that YAMLEncoder writes and most hand-written graphs use:
/// mappings and sequences by indentation (a sequence may sit at its key's indentation), `- key:
/// value` entries, and one scalar per line — double-quoted, single-quoted or plain — or `[]` and
/// `{}`. It composes the nodes Yams composes (strings, plainness, positions) at a small fraction
/// of the cost (Yams spends ~500 instructions a byte on a large graph).
///
/// Anything else makes it decline (nil), and the caller composes with Yams, which stays the
/// reference: flow collections with content, block scalars, scalars over several lines,
/// anchors, aliases, tags, directives, a second document, empty values, quoted or complex keys,
/// tabs, CR, a byte order mark, control characters and the Unicode line breaks. Tests compare
/// the two readers on every fixture and on cut and mutated copies of them.
struct FastYAMLReader {
    typealias Line = (start: Int, indent: Int, end: Int, number: Int)

    let b: UnsafeBufferPointer<UInt8>
    /// The lines with content (not blank, not only a comment).
    var lines: [Line] = []
    var i = 0
    /// Open collections: a graph is a few levels deep; a deep file is left to Yams's path, whose
    /// NestingGuard reports it.
    var depth = 0
    static let maxDepth = 64

    struct Decline: Error {}

    mutating func deeper() throws {
        depth += 1
        if depth > FastYAMLReader.maxDepth { throw Decline() }
    }

    /// `inParts`: the top-level mapping is read in two parts at once (the decoder asks for it
    /// for large texts; tests compare both ways).
    static func compose(_ text: String, inParts: Bool = false) -> YAMLNode? {
        var text = text
        return text.withUTF8 { bytes in
            var r = FastYAMLReader(b: bytes)
            return try? r.document(inParts: inParts)
        }
    }

    mutating func document(inParts: Bool = false) throws -> YAMLNode {
        try splitLines()
        if let first = lines.first, first.indent == 0, text(first, 0) == "---" { i = 1 }
        for l in lines[i...] where l.indent == 0 {
            let t = text(l, 0)
            if t.hasPrefix("---") || t.hasPrefix("...") || t.hasPrefix("%") { throw Decline() }
        }
        guard i < lines.count, lines[i].indent == 0, keyEnd(lines[i], 0) != nil else { throw Decline() }
        if inParts, let split = middleKeyLine() { return try mappingInParts(split) }
        let root = try mapping(column: 0)
        guard i == lines.count else { throw Decline() }
        return root
    }

    /// The top-level key line nearest the middle of the content (not the first one), where the
    /// document can be cut in two: a line at column 0 that starts a key always starts the next
    /// pair of the top-level mapping (a value's lines are indented, or are `- ` entries).
    func middleKeyLine() -> Int? {
        let middle = (i + lines.count) / 2
        var best: Int?
        for k in (i + 1)..<lines.count where lines[k].indent == 0 && keyEnd(lines[k], 0) != nil {
            if best == nil || abs(k - middle) < abs(best! - middle) { best = k }
        }
        return best
    }

    /// The top-level mapping read as two mappings at once, the lines before `split` and from it
    /// on, each by its own reader over the same text, then joined: the reader never looks past
    /// the end of a top-level value, so each part gives the pairs, positions and declines the
    /// whole would.
    mutating func mappingInParts(_ split: Int) throws -> YAMLNode {
        let start = position(lines[i], 0)
        let (b, lines, i) = (self.b, self.lines, self.i)
        func pairs(_ range: Range<Int>) -> [YAMLNode.Pair]? {
            var r = FastYAMLReader(b: b)
            r.lines = Array(lines[range])
            guard case let .mapping(pairs, _)? = try? r.mapping(column: 0), r.i == r.lines.count else { return nil }
            return pairs
        }
        // (Bound first, then checked: `guard case let (a?, b?) = …` leaked the half that was
        // there when the other was not — LeakSanitizer, under the YAML fuzzer.)
        let (firstHalf, secondHalf) = bothDone({ pairs(i..<split) }, { pairs(split..<lines.count) })
        guard let first = firstHalf, let second = secondHalf else { throw Decline() }
        self.i = lines.count
        return .mapping(first + second, start)
    }

    /// Content lines, after checking that every byte is one this reader handles.
    mutating func splitLines() throws {
        var start = 0, number = 1, k = 0
        lines.reserveCapacity(b.count / 24)
        while k <= b.count {
            // Printable ASCII, most of a graph, in a tight loop.
            while k < b.count, b[k] >= 0x20, b[k] < 0x7F { k += 1 }
            if k == b.count || b[k] == 10 {
                var indent = 0
                while start + indent < k && b[start + indent] == 32 { indent += 1 }
                if start + indent < k && b[start + indent] != UInt8(ascii: "#") {
                    lines.append((start, indent, k, number))
                }
                number += 1
                start = k + 1
                k += 1
                continue
            }
            let c = b[k]
            if c < 0x20 || c == 0x7F { throw Decline() }  // tabs, CR, control characters
            if c >= 0x80 {
                let c1 = k + 1 < b.count ? b[k + 1] : 0, c2 = k + 2 < b.count ? b[k + 2] : 0
                if c == 0xC2 && c1 <= 0x9F { throw Decline() }                        // C1 controls, NEL
                if c == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9) { throw Decline() }  // LS, PS
                if c == 0xEF && ((c1 == 0xBB && c2 == 0xBF) || (c1 == 0xBF && c2 >= 0xBE)) { throw Decline() }  // BOM, U+FFFE/F
            }
            k += 1
        }
    }

    /// A line's text from a column, trailing spaces cut.
    func text(_ l: Line, _ column: Int) -> Substring {
        var e = l.end
        while e > l.start + column && b[e - 1] == 32 { e -= 1 }
        return Substring(decoding: UnsafeBufferPointer(rebasing: b[(l.start + column)..<e]), as: UTF8.self)
    }

    func position(_ l: Line, _ column: Int) -> Position { Position(line: l.number, column: column + 1) }

    func isEntry(_ l: Line, _ column: Int) -> Bool {
        let p = l.start + column
        return p < l.end && b[p] == UInt8(ascii: "-") && (p + 1 == l.end || b[p + 1] == 32)
    }

    /// After `key:` at a column: the offset past the colon, or nil if no plain key starts there.
    func keyEnd(_ l: Line, _ column: Int) -> Int? {
        var p = l.start + column
        guard p < l.end, isKeyByte(b[p]), b[p] != UInt8(ascii: "-"), b[p] != UInt8(ascii: ".") else { return nil }
        while p < l.end && isKeyByte(b[p]) { p += 1 }
        guard p < l.end, b[p] == UInt8(ascii: ":"), p + 1 == l.end || b[p + 1] == 32 else { return nil }
        return p + 1
    }

    func isKeyByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "/")
    }

    /// A block mapping whose first key is at `column` of the current line; later keys are on
    /// lines indented exactly that far.
    mutating func mapping(column c: Int) throws -> YAMLNode {
        try deeper()
        defer { depth -= 1 }
        let start = position(lines[i], c)
        var pairs: [YAMLNode.Pair] = []
        while true {
            let l = lines[i]
            guard let colon = keyEnd(l, c) else { throw Decline() }
            let key = YAMLNode.scalar(String(decoding: UnsafeBufferPointer(rebasing: b[(l.start + c)..<(colon - 1)]), as: UTF8.self),
                                      plain: true, position(l, c))
            var v = colon
            while v < l.end && b[v] == 32 { v += 1 }
            let value: YAMLNode
            if v == l.end || (b[v] == UInt8(ascii: "#") && v > colon) {
                // The value is on the next lines: more indented, or a sequence at this column.
                i += 1
                guard i < lines.count else { throw Decline() }
                let next = lines[i]
                if next.indent > c {
                    value = try node(column: next.indent)
                } else if next.indent == c && isEntry(next, c) {
                    value = try sequence(column: c)
                } else {
                    throw Decline()  // an empty value
                }
            } else {
                value = try inline(l, v)
                i += 1
            }
            pairs.append(YAMLNode.Pair(key: key, value: value))
            guard i < lines.count, lines[i].indent >= c else { break }
            guard lines[i].indent == c, !isEntry(lines[i], c) else { throw Decline() }
        }
        return .mapping(pairs, start)
    }

    /// A block sequence whose first `-` is at `column` of the current line.
    mutating func sequence(column c: Int) throws -> YAMLNode {
        try deeper()
        defer { depth -= 1 }
        let start = position(lines[i], c)
        var items: [YAMLNode] = []
        while true {
            let l = lines[i]
            guard isEntry(l, c) else { throw Decline() }
            var v = l.start + c + 1
            while v < l.end && b[v] == 32 { v += 1 }
            guard v < l.end, b[v] != UInt8(ascii: "#") else { throw Decline() }  // the item on later lines
            let column = v - l.start
            if keyEnd(l, column) != nil {
                items.append(try mapping(column: column))
            } else if isEntry(l, column) {
                throw Decline()  // `- - x`
            } else {
                items.append(try inline(l, v))
                i += 1
            }
            guard i < lines.count, lines[i].indent >= c else { break }
            if lines[i].indent == c && !isEntry(lines[i], c) { break }  // the next key of the mapping it is in
            guard lines[i].indent == c else { throw Decline() }
        }
        return .sequence(items, start)
    }

    /// A node starting a line at `column`: a mapping, a sequence or a scalar.
    mutating func node(column c: Int) throws -> YAMLNode {
        let l = lines[i]
        if isEntry(l, c) { return try sequence(column: c) }
        if keyEnd(l, c) != nil { return try mapping(column: c) }
        let value = try inline(l, l.start + c)
        i += 1
        guard i == lines.count || lines[i].indent < c else { throw Decline() }  // a scalar over several lines
        return value
    }

    /// The scalar, `[]` or `{}` at offset `v` of a line, which must end there (but for spaces
    /// and a comment).
    func inline(_ l: Line, _ v: Int) throws -> YAMLNode {
        let at = position(l, v - l.start)
        let c = b[v]
        var end = l.end
        func restIsComment(_ p: Int) -> Bool {
            var p = p
            while p < end && b[p] == 32 { p += 1 }
            return p == end || (b[p] == UInt8(ascii: "#") && b[p - 1] == 32)
        }
        switch c {
        case UInt8(ascii: "\""):
            // Most strings have no escapes: taken from the text as they are.
            var q = v + 1
            while q < end && b[q] != UInt8(ascii: "\"") && b[q] != UInt8(ascii: "\\") { q += 1 }
            if q < end && b[q] == UInt8(ascii: "\"") {
                guard restIsComment(q + 1) else { throw Decline() }
                return .scalar(String(decoding: UnsafeBufferPointer(rebasing: b[(v + 1)..<q]), as: UTF8.self), plain: false, at)
            }
            var out: [UInt8] = []
            var p = v + 1
            while true {
                guard p < end else { throw Decline() }  // continues on the next line
                let ch = b[p]
                if ch == UInt8(ascii: "\"") { break }
                if ch == UInt8(ascii: "\\") {
                    guard p + 1 < end else { throw Decline() }
                    p += 1
                    switch b[p] {
                    case UInt8(ascii: "0"): out.append(0)
                    case UInt8(ascii: "a"): out.append(7)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "v"): out.append(11)
                    case UInt8(ascii: "f"): out.append(12)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "e"): out.append(27)
                    case 32, UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): out.append(b[p])
                    case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                        let digits = b[p] == UInt8(ascii: "x") ? 2 : b[p] == UInt8(ascii: "u") ? 4 : 8
                        guard p + digits < end else { throw Decline() }
                        var code: UInt32 = 0
                        for d in b[(p + 1)...(p + digits)] {
                            guard let h = hexValue(d) else { throw Decline() }
                            code = code << 4 | h
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw Decline() }
                        out.append(contentsOf: String(Character(scalar)).utf8)
                        p += digits
                    default: throw Decline()
                    }
                } else {
                    out.append(ch)
                }
                p += 1
            }
            guard restIsComment(p + 1) else { throw Decline() }
            return .scalar(String(decoding: out, as: UTF8.self), plain: false, at)
        case UInt8(ascii: "'"):
            var out: [UInt8] = []
            var p = v + 1
            while true {
                guard p < end else { throw Decline() }
                if b[p] == UInt8(ascii: "'") {
                    if p + 1 < end && b[p + 1] == UInt8(ascii: "'") { out.append(b[p]); p += 2; continue }
                    break
                }
                out.append(b[p])
                p += 1
            }
            guard restIsComment(p + 1) else { throw Decline() }
            return .scalar(String(decoding: out, as: UTF8.self), plain: false, at)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard v + 1 < end, b[v + 1] == (c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")), restIsComment(v + 2) else {
                throw Decline()  // a flow collection with content
            }
            return c == UInt8(ascii: "[") ? .sequence([], at) : .mapping([], at)
        default:
            // A plain scalar: it may not start with an indicator (a `-` only before a digit), it
            // ends at a comment, and a `: ` inside it would make it a key.
            if FastYAMLReader.isIndicator(c) {
                guard c == UInt8(ascii: "-"), v + 1 < end, b[v + 1] >= 0x30, b[v + 1] <= 0x39 else { throw Decline() }
            }
            var p = v
            while p < end {
                if b[p] == UInt8(ascii: "#") && b[p - 1] == 32 { end = p; break }
                if b[p] == UInt8(ascii: ":") && (p + 1 == end || b[p + 1] == 32) { throw Decline() }
                p += 1
            }
            while end > v && b[end - 1] == 32 { end -= 1 }
            return .scalar(String(decoding: UnsafeBufferPointer(rebasing: b[v..<end]), as: UTF8.self), plain: true, at)
        }
    }

    /// `-?:,[]{}#&*!|>'"%@` and the backquote: a plain scalar cannot start with one.
    static func isIndicator(_ c: UInt8) -> Bool {
        switch c {
        case 0x2D, 0x3F, 0x3A, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x23, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60: return true
        default: return false
        }
    }

    func hexValue(_ d: UInt8) -> UInt32? {
        switch d {
        case 0x30...0x39: return UInt32(d - 0x30)
        case 0x41...0x46: return UInt32(d - 0x41 + 10)
        case 0x61...0x66: return UInt32(d - 0x61 + 10)
        default: return nil
        }
    }
}
