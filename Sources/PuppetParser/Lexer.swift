#if canImport(Glibc)
import Glibc
#endif
/// Turns a manifest's bytes into tokens: all at once (`tokenize`), or a batch at a time as the
/// parser asks for them (`lex(untilCount:)`), so a parser on its own thread can hand the first
/// statements of a large file over before the rest is read. Tokens are kept in one array (the
/// parser needs a little lookahead and backs up; an array is both fast and simple).
///
/// Context rules (after Puppet's lexer2):
/// - `/` starts a regex only where a value cannot end (`TokenKind.endsValue`); elsewhere it divides.
/// - A double-quoted string becomes `string`, or `dqPre` … `dqMid` … `dqPost` with the tokens of
///   each interpolated expression in between (the closing `}` of `${…}` is not emitted).
/// - A heredoc `@(TAG)` becomes a `heredoc` token followed by its text as a `string` or a `dq…`
///   sequence; its body lines are skipped when the lexer reaches the end of the line.
public struct Lexer {
    let file: SourceFile
    let b: [UInt8]
    var pos = 0
    /// The tokens lexed and not yet dropped (see `dropTokens`): `tokens[0]` is token number `base`.
    var tokens: [Token] = []
    var base = 0
    var values: [String] = []
    var diagnostics = DiagnosticList()
    /// Where the next line break jumps to, past the bodies of heredocs that started on this line.
    var heredocResume: Int?
    var spaceBefore = true
    var nesting = 0
    /// Start of the outermost token being lexed (a string with interpolations spans many).
    var topTokenStart = 0
    /// Where that token started when the first error was found.
    var errorCutoff: Int?
    /// True once the input is used up and the `eof` token is the last of `tokens`.
    var finished = false

    static let maxNesting = 200

    public struct Result {
        public var tokens: [Token]
        /// Decoded token text, indexed by `Token.valueIndex`.
        public var values: [String]
        public var diagnostics: DiagnosticList
        /// Start of the token whose lexing failed first (the parser reports nothing after it).
        public var errorCutoff: Int?
    }

    public static func tokenize(_ file: SourceFile) -> Result {
        var lx = Lexer(file: file)
        lx.tokens.reserveCapacity(file.bytes.count / 5)
        lx.lex(untilCount: .max)
        return Result(tokens: lx.tokens, values: lx.values, diagnostics: lx.diagnostics, errorCutoff: lx.errorCutoff)
    }

    /// A lexer at the start of `file`, which has lexed nothing yet.
    init(file: SourceFile) {
        self.file = file
        b = file.bytes
        tokens.reserveCapacity(Lexer.window)
        values.reserveCapacity(file.bytes.count / 24)
        // A UTF-8 byte order mark is not part of the program.
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { pos = 3 }
    }

    /// Lexes top-level tokens until there are at least `count` of them or the input ends (then
    /// `eof` is appended). A token with interpolations comes whole, with the tokens inside it,
    /// so a batch may overshoot.
    mutating func lex(untilCount count: Int) {
        guard !finished else { return }
        while base + tokens.count < count {
            skipSpaceAndComments()
            guard pos < b.count else {
                tokens.append(Token(kind: .eof, spaceBefore: true, start: Int32(b.count), end: Int32(b.count), valueIndex: -1))
                finished = true
                return
            }
            if nesting == 0 { topTokenStart = pos }
            lexOne()
        }
    }

    /// One past the number of the last token lexed.
    var endIndex: Int { base + tokens.count }

    subscript(token i: Int) -> Token { tokens[i - base] }

    /// How many tokens a parse keeps at most, give or take a batch: the parser reads each
    /// token once, a few behind and ahead of where it is, so the tokens of a large file need
    /// not all be kept (a 1 MB manifest has ~250k tokens, 4 MB of fresh memory, which this
    /// kind of machine is slow to hand out) and the ones kept stay in cache.
    static let window = 2048

    /// Forgets the tokens before number `i`, once there are enough of them to be worth moving
    /// the rest down.
    mutating func dropTokens(before i: Int) {
        let n = i - base
        guard n >= Lexer.window / 2, n <= tokens.count else { return }
        tokens.removeFirst(n)
        base += n
    }

    // MARK: - Main loop

    mutating func error(_ offset: Int, _ message: String) {
        if errorCutoff == nil { errorCutoff = topTokenStart }
        diagnostics.add(Diagnostic(at: Int32(offset), in: file, message))
    }

    mutating func emit(_ kind: TokenKind, _ start: Int, _ value: String? = nil) {
        tokens.append(Token(kind: kind, spaceBefore: spaceBefore, start: Int32(start), end: Int32(pos), valueIndex: store(value)))
        spaceBefore = false
    }

    mutating func store(_ value: String?) -> Int32 {
        guard let value else { return -1 }
        values.append(value)
        return Int32(values.count - 1)
    }

    /// Lexes the tokens of an interpolated `${…}` up to the `}` that closes it.
    /// Returns false if input ended first.
    mutating func lexUntilClosingBrace() -> Bool {
        var braces = 0
        while true {
            skipSpaceAndComments()
            guard pos < b.count else { return false }
            let c = b[pos]
            if c == UInt8(ascii: "}") {
                if braces == 0 { pos += 1; return true }
                braces -= 1
            } else if c == UInt8(ascii: "{") {
                braces += 1
            }
            lexOne()
        }
    }

    @inline(__always)
    mutating func skipSpaceAndComments() {
        while pos < b.count {
            let c = b[pos]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                pos += 1
                spaceBefore = true
            case UInt8(ascii: "\n"):
                pos += 1
                spaceBefore = true
                if let resume = heredocResume {
                    heredocResume = nil
                    if resume > pos { pos = resume }
                }
            case UInt8(ascii: "#"):
                while pos < b.count, b[pos] != UInt8(ascii: "\n") { pos += 1 }
                spaceBefore = true
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let start = pos
                pos += 2
                var closed = false
                while pos < b.count {
                    if b[pos] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") { pos += 2; closed = true; break }
                    pos += 1
                }
                if !closed { error(start, "Unclosed comment") }
                spaceBefore = true
            case 0xC2 where peek(1) == 0xA0:  // no-break space, which Puppet also skips
                pos += 2
                spaceBefore = true
            default:
                return
            }
        }
    }

    func peek(_ n: Int) -> UInt8 {
        pos + n < b.count ? b[pos + n] : 0
    }

    var previousEndsValue: Bool {
        guard let last = tokens.last else { return false }
        return last.kind.endsValue
    }

    mutating func lexOne() {
        let start = pos
        let c = b[pos]
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
            lexName(start)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            lexRef(start)
        case UInt8(ascii: ":") where peek(1) == UInt8(ascii: ":"):
            let n = peek(2)
            if isLower(n) || n == UInt8(ascii: "_") { lexName(start) } else if isUpper(n) { lexRef(start) } else {
                pos += 2
                error(start, "Syntax error at '::'")
                emit(.error, start)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            lexNumber(start)
        case UInt8(ascii: "$"):
            lexVariable(start)
        case UInt8(ascii: "'"):
            lexSingleQuoted(start)
        case UInt8(ascii: "\""):
            pos += 1
            lexInterpolated(start: start, end: nil, terminator: UInt8(ascii: "\""), escapes: .doubleQuoted, margin: 0)
        case UInt8(ascii: "/"):
            if !previousEndsValue, lexRegex(start) { return }
            pos += 1
            emit(.div, start)
        case UInt8(ascii: "@"):
            if peek(1) == UInt8(ascii: "("), lexHeredoc(start) { return }
            if peek(1) == UInt8(ascii: "@") { pos += 2; emit(.atat, start) } else { pos += 1; emit(.at, start) }
        default:
            lexOperator(start, c)
        }
    }

    // MARK: - Names, numbers, variables

    func isLower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
    func isUpper(_ c: UInt8) -> Bool { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") }
    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    func isWord(_ c: UInt8) -> Bool { isLower(c) || isUpper(c) || isDigit(c) || c == UInt8(ascii: "_") }

    /// `(::)?[a-z_][\w-]*(::[a-z_][\w-]*)*`; a hyphen or leading underscore makes it a `word`.
    mutating func lexName(_ start: Int) {
        var isWordToken = false
        if b[pos] == UInt8(ascii: ":") { pos += 2 }
        while true {
            if b[pos] == UInt8(ascii: "_") && (pos == start || b[pos - 1] == UInt8(ascii: ":")) { isWordToken = true }
            while pos < b.count, isWord(b[pos]) || (b[pos] == UInt8(ascii: "-") && pos + 1 < b.count && isWord(b[pos + 1])) {
                if b[pos] == UInt8(ascii: "-") { isWordToken = true }
                pos += 1
            }
            if peek(0) == UInt8(ascii: ":"), peek(1) == UInt8(ascii: ":"), isLower(peek(2)) || peek(2) == UInt8(ascii: "_") {
                pos += 2
                continue
            }
            break
        }
        if isWordToken {
            emit(.word, start)
            return
        }
        if let kw = TokenKind.keyword(b, start, pos) {
            emit(kw, start)
        } else {
            emit(.name, start)
        }
    }

    /// `(::)?[A-Z]\w*(::[A-Z]\w*)*`
    mutating func lexRef(_ start: Int) {
        if b[pos] == UInt8(ascii: ":") { pos += 2 }
        while true {
            while pos < b.count, isWord(b[pos]) { pos += 1 }
            if peek(0) == UInt8(ascii: ":"), peek(1) == UInt8(ascii: ":"), isUpper(peek(2)) {
                pos += 2
                continue
            }
            break
        }
        emit(.ref, start)
    }

    mutating func lexNumber(_ start: Int) {
        if b[pos] == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            pos += 2
            let digits = pos
            while pos < b.count, isDigit(b[pos]) || (b[pos] | 0x20 >= UInt8(ascii: "a") && b[pos] | 0x20 <= UInt8(ascii: "f")) { pos += 1 }
            if pos == digits { return illegalNumber(start) }
        } else {
            while pos < b.count, isDigit(b[pos]) { pos += 1 }
            if peek(0) == UInt8(ascii: "."), isDigit(peek(1)) {
                pos += 1
                while pos < b.count, isDigit(b[pos]) { pos += 1 }
            }
            if peek(0) == UInt8(ascii: "e") || peek(0) == UInt8(ascii: "E") {
                let save = pos
                pos += 1
                if peek(0) == UInt8(ascii: "-") || peek(0) == UInt8(ascii: "+") { pos += 1 }
                if isDigit(peek(0)) {
                    while pos < b.count, isDigit(b[pos]) { pos += 1 }
                } else {
                    pos = save
                }
            }
        }
        if pos < b.count, isWord(b[pos]) { return illegalNumber(start) }
        emit(.number, start)
    }

    mutating func illegalNumber(_ start: Int) {
        while pos < b.count, isWord(b[pos]) || b[pos] == UInt8(ascii: ".") { pos += 1 }
        error(start, "Illegal number '\(String(decoding: b[start..<pos], as: UTF8.self))'")
        emit(.error, start)
    }

    /// `$` then `(::)?(\w+::)*\w+`.
    mutating func lexVariable(_ start: Int) {
        pos += 1
        let nameStart = pos
        if peek(0) == UInt8(ascii: ":"), peek(1) == UInt8(ascii: ":") { pos += 2 }
        var ok = false
        while pos < b.count, isWord(b[pos]) {
            while pos < b.count, isWord(b[pos]) { pos += 1 }
            ok = true
            if peek(0) == UInt8(ascii: ":"), peek(1) == UInt8(ascii: ":"), isWord(peek(2)) { pos += 2 } else { break }
        }
        if !ok, pos < b.count, b[pos] >= 0x80 {
            // `$ü`: Puppet stops at the letter it cannot read.
            error(pos, "Syntax error at ''")
            emit(.error, start)
            return
        }
        if !ok {
            pos = nameStart
            error(start, "Illegal variable name, The given name '' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/")
            emit(.error, start)
            return
        }
        emit(.variable, start, String(decoding: b[nameStart..<pos], as: UTF8.self))
    }

    // MARK: - Strings

    mutating func lexSingleQuoted(_ start: Int) {
        pos += 1
        // Fast path: no backslash before the closing quote, so the text is the bytes as they are
        // (both looked for with memchr: a title or path is tens of bytes).
        let from = pos
        let fast: (text: String, close: Int)? = b.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, from < buf.count,
                  let quote = memchr(base + from, Int32(UInt8(ascii: "'")), buf.count - from) else { return nil }
            let close = UnsafeRawPointer(base).distance(to: quote)
            guard memchr(base + from, Int32(UInt8(ascii: "\\")), close - from) == nil else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: buf[from..<close]), as: UTF8.self), close)
        }
        if let fast {
            pos = fast.close + 1
            emit(.string, start, fast.text)
            return
        }
        var out: [UInt8] = []
        while pos < b.count {
            let c = b[pos]
            if c == UInt8(ascii: "'") {
                pos += 1
                emit(.string, start, String(decoding: out, as: UTF8.self))
                return
            }
            if c == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "'") || peek(1) == UInt8(ascii: "\\") {
                out.append(b[pos + 1])
                pos += 2
                continue
            }
            out.append(c)
            pos += 1
        }
        unclosedQuote(start, "'")
    }

    /// Puppet reports an unclosed string just after its quote, or after the last token read
    /// inside it (an interpolation), and only once: what follows is swallowed by the string.
    mutating func unclosedQuote(_ start: Int, _ quote: String, after lastInside: Token? = nil) {
        if !diagnostics.hasErrors {
            let at = lastInside.map { Int($0.end) } ?? start + 1
            let what = lastInside.map { String(file.text($0.range).trimmingPrefix("$")) } ?? quote
            let followed = String(decoding: b[min(b.count, at)..<min(b.count, at + 5)], as: UTF8.self)
            error(at, "Unclosed quote after '\(what)' followed by '\(followed)...'")
        }
        pos = b.count
        emit(.error, start)
    }

    /// The escapes a string form recognises (double quotes: all; heredocs: those in its `/flags`).
    struct Escapes: OptionSet {
        let rawValue: UInt16
        static let t = Escapes(rawValue: 1), r = Escapes(rawValue: 2), n = Escapes(rawValue: 4)
        static let s = Escapes(rawValue: 8), u = Escapes(rawValue: 16), dollar = Escapes(rawValue: 32)
        static let lineEnd = Escapes(rawValue: 64), backslash = Escapes(rawValue: 128)
        static let dq = Escapes(rawValue: 256), sq = Escapes(rawValue: 512)
        /// In double quotes a backslash before a line break removes both (line continuation).
        static let doubleQuoted: Escapes = [.t, .r, .n, .s, .u, .dollar, .backslash, .dq, .sq, .lineEnd]
        static let heredocAll: Escapes = [.t, .r, .n, .s, .u, .dollar, .lineEnd, .backslash]
    }

    /// Scans string text up to `terminator` (or `end`), emitting `string` or a `dq…` sequence with
    /// the tokens of every interpolation in between. `margin` columns of blanks are dropped at the
    /// start of every line (heredoc `|`).
    mutating func lexInterpolated(start: Int, end: Int?, terminator: UInt8?, escapes: Escapes, margin: Int, interpolate: Bool = true) {
        let limit = end ?? b.count
        var text: [UInt8] = []
        var segments = 0
        var segmentStart = start
        var atLineStart = end != nil

        func flush(_ lx: inout Lexer, _ kind: TokenKind) {
            let index = lx.store(String(decoding: text, as: UTF8.self))
            lx.tokens.append(Token(kind: kind, spaceBefore: lx.spaceBefore, start: Int32(segmentStart), end: Int32(lx.pos), valueIndex: index))
            lx.spaceBefore = false
            text.removeAll(keepingCapacity: true)
        }

        while pos < limit {
            if atLineStart && margin > 0 {
                // The margin is removed only from lines that have all of it; a line indented less
                // keeps its blanks (as in Puppet).
                var m = 0
                while m < margin, pos + m < limit, b[pos + m] == UInt8(ascii: " ") || b[pos + m] == UInt8(ascii: "\t") { m += 1 }
                if m == margin { pos += m }
                atLineStart = false
                continue
            }
            atLineStart = false
            let c = b[pos]
            if let t = terminator, c == t {
                pos += 1
                flush(&self, segments == 0 ? .string : .dqPost)
                return
            }
            if c == UInt8(ascii: "\n") { atLineStart = end != nil }
            if c == UInt8(ascii: "\\"), pos + 1 < limit {
                let e = b[pos + 1]
                var replacement: [UInt8]? = nil
                switch e {
                case UInt8(ascii: "t") where escapes.contains(.t): replacement = [9]
                case UInt8(ascii: "n") where escapes.contains(.n): replacement = [10]
                case UInt8(ascii: "r") where escapes.contains(.r): replacement = [13]
                case UInt8(ascii: "s") where escapes.contains(.s): replacement = [32]
                case UInt8(ascii: "$") where escapes.contains(.dollar): replacement = [UInt8(ascii: "$")]
                case UInt8(ascii: "\\") where escapes.contains(.backslash): replacement = [UInt8(ascii: "\\")]
                case UInt8(ascii: "\"") where escapes.contains(.dq): replacement = [UInt8(ascii: "\"")]
                case UInt8(ascii: "'") where escapes.contains(.sq): replacement = [UInt8(ascii: "'")]
                case UInt8(ascii: "\n") where escapes.contains(.lineEnd):
                    replacement = []
                    atLineStart = true
                case UInt8(ascii: "\r") where escapes.contains(.lineEnd) && pos + 2 < limit && b[pos + 2] == UInt8(ascii: "\n"):
                    pos += 1
                    replacement = []
                    atLineStart = true
                case UInt8(ascii: "u") where escapes.contains(.u):
                    if let (scalar, length) = unicodeEscape(at: pos + 2, limit: limit) {
                        text.append(contentsOf: Array(String(Character(scalar)).utf8))
                        pos += 2 + length
                        continue
                    }
                    error(pos, "Malformed unicode escape sequence")
                default:
                    break
                }
                if let r = replacement {
                    text.append(contentsOf: r)
                    pos += 2
                    continue
                }
                // Unknown escapes stay as written.
                text.append(c)
                pos += 1
                if e == terminator || e == UInt8(ascii: "\\") { text.append(e); pos += 1 }
                continue
            }
            if interpolate, c == UInt8(ascii: "$") {
                let n = peek(1)
                if n == UInt8(ascii: "{") {
                    flush(&self, segments == 0 ? .dqPre : .dqMid)
                    segments += 1
                    let open = pos
                    pos += 2
                    lexInterpolationBraces(open)
                    segmentStart = pos
                    continue
                }
                if isWord(n) || (n == UInt8(ascii: ":") && peek(2) == UInt8(ascii: ":") && isWord(peek(3))) {
                    flush(&self, segments == 0 ? .dqPre : .dqMid)
                    segments += 1
                    let save = spaceBefore
                    lexVariable(pos)
                    spaceBefore = save
                    segmentStart = pos
                    continue
                }
            }
            text.append(c)
            pos += 1
        }
        if terminator != nil {
            unclosedQuote(start, "\"", after: segments > 0 ? tokens.last : nil)
            return
        }
        flush(&self, segments == 0 ? .string : .dqPost)
    }

    /// `\uXXXX` or `\u{X…}` starting at `i` (after the `u`); returns the scalar and bytes consumed.
    func unicodeEscape(at i: Int, limit: Int) -> (Unicode.Scalar, Int)? {
        func hex(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        if i < limit, b[i] == UInt8(ascii: "{") {
            var v: UInt32 = 0
            var j = i + 1
            while j < limit, j - i <= 7, let h = hex(b[j]) { v = v &* 16 &+ h; j += 1 }
            guard j < limit, b[j] == UInt8(ascii: "}"), j > i + 1, let s = Unicode.Scalar(v) else { return nil }
            return (s, j + 1 - i)
        }
        guard i + 4 <= limit else { return nil }
        var v: UInt32 = 0
        for j in i..<(i + 4) {
            guard let h = hex(b[j]) else { return nil }
            v = v * 16 + h
        }
        guard let s = Unicode.Scalar(v) else { return nil }
        return (s, 4)
    }

    /// After `${`: a bare name (or number) right before `}`, `[` or `.` means a variable, as in
    /// `"${x}"`, `"${x[0]}"`, `"${x.y}"`; then tokens up to the closing brace.
    mutating func lexInterpolationBraces(_ open: Int) {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Lexer.maxNesting {
            error(open, "Interpolation nested too deeply")
            pos = b.count
            return
        }
        // `${1.5}` and `${true}` name variables in Puppet, and illegal ones: it rejects them.
        var k = pos
        while k < b.count, isDigit(b[k]) || b[k] == UInt8(ascii: ".") { k += 1 }
        if k > pos, k < b.count, b[k] == UInt8(ascii: "}"), b[pos..<k].contains(UInt8(ascii: ".")) {
            let name = String(decoding: b[pos..<k], as: UTF8.self)
            error(pos, "Illegal numeric variable name, The given name '\(name)' must be a decimal value if it starts with a digit 0-9")
        }
        for word in ["true", "false"] where b.count >= pos + word.utf8.count + 1 && b[pos..<(pos + word.utf8.count)].elementsEqual(word.utf8) && b[pos + word.utf8.count] == UInt8(ascii: "}") {
            error(pos, "Illegal variable name in interpolation: '\(word)' is a literal, not a variable")
        }
        var j = pos
        if j + 1 < b.count, b[j] == UInt8(ascii: ":"), b[j + 1] == UInt8(ascii: ":") { j += 2 }
        let nameStart = j
        if j < b.count, isLower(b[j]) || b[j] == UInt8(ascii: "_") || isDigit(b[j]) {
            while j < b.count {
                while j < b.count, isWord(b[j]) { j += 1 }
                if j + 2 < b.count, b[j] == UInt8(ascii: ":"), b[j + 1] == UInt8(ascii: ":"), isWord(b[j + 2]) { j += 2 } else { break }
            }
            let name = String(decoding: b[pos..<j], as: UTF8.self)
            let allDigits = b[nameStart..<j].allSatisfy { isDigit($0) }
            // Keywords too: `"${attr}"` and `"${default}"` are variables.
            if j < b.count, b[j] == UInt8(ascii: "}") || b[j] == UInt8(ascii: "[") || b[j] == UInt8(ascii: ".") {
                if !allDigits || b[j] == UInt8(ascii: "}") || b[j] == UInt8(ascii: "[") {
                    let start = pos
                    pos = j
                    spaceBefore = false
                    emit(.variable, start, name)
                }
            }
        }
        if !lexUntilClosingBrace(), !diagnostics.hasErrors {
            error(open, "Unclosed interpolation: '${' without a matching '}'")
        }
    }

    // MARK: - Regex and heredoc

    /// `/…/` on one line, where an escaped `\/` does not end it. Returns false if there is no
    /// closing slash (then `/` is division).
    mutating func lexRegex(_ start: Int) -> Bool {
        var j = pos + 1
        while j < b.count {
            let c = b[j]
            if c == UInt8(ascii: "\n") { return false }
            if c == UInt8(ascii: "\\"), j + 1 < b.count, b[j + 1] != UInt8(ascii: "\n") { j += 2; continue }
            if c == UInt8(ascii: "/") {
                pos = j + 1
                emit(.regex, start, String(decoding: b[(start + 1)..<j], as: UTF8.self))
                return true
            }
            j += 1
        }
        return false
    }

    /// `@(TAG[:syntax][/escapes])`; the text starts on the next line (or after the heredocs that
    /// already started on this line) and ends at a line holding `[|][-]TAG`.
    mutating func lexHeredoc(_ start: Int) -> Bool {
        var j = pos + 2
        var close = -1
        while j < b.count, b[j] != UInt8(ascii: "\n"), b[j] != UInt8(ascii: "\r") {
            if b[j] == UInt8(ascii: ")") { close = j; break }
            j += 1
        }
        guard close > 0 else { return false }
        let header = String(decoding: b[(pos + 2)..<close], as: UTF8.self)
        // Split "TAG:syntax/flags".
        var tagPart = Substring(header)
        var syntax = ""
        var flags: Substring? = nil
        if let slash = tagPart.firstIndex(of: "/") {
            flags = tagPart[tagPart.index(after: slash)...]
            tagPart = tagPart[..<slash]
        }
        if let colon = tagPart.firstIndex(of: ":") {
            syntax = String(tagPart[tagPart.index(after: colon)...]).trimmingBlanks()
            tagPart = tagPart[..<colon]
        }
        var tag = String(tagPart).trimmingBlanks()
        var interpolate = false
        if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 {
            interpolate = true
            tag = String(tag.dropFirst().dropLast())
        }
        guard !tag.isEmpty, !tag.contains("\"") else { return false }
        // Puppet's header pattern: the syntax is `[a-z][a-zA-Z0-9_+]+`, escapes are letters and `$`.
        let syntaxOK = syntax.isEmpty || (syntax.count >= 2 && syntax.first!.isASCII && syntax.first!.isLowercase
            && syntax.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "+") })
        let flagsOK = flags.map { $0.trimmingBlanksSubstring().allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") } } ?? true
        if !syntaxOK || !flagsOK {
            error(close + 1, "Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])")
            pos = close + 1
            emit(.error, start)
            return true
        }
        var escapes: Escapes = []
        if let f = flags {
            let f = f.trimmingBlanksSubstring()
            if f.isEmpty { escapes = .heredocAll }
            for ch in f {
                switch ch {
                case "t": escapes.insert(.t)
                case "r": escapes.insert(.r)
                case "n": escapes.insert(.n)
                case "s": escapes.insert(.s)
                case "u": escapes.insert(.u)
                case "$": escapes.insert(.dollar)
                case "L": escapes.insert(.lineEnd)
                default:
                    error(start, "Invalid heredoc escape char. Only t, r, n, s, u, L, $ allowed. Got '\(ch)'")
                }
            }
            if !escapes.isEmpty { escapes.insert(.backslash) }
        }
        pos = close + 1
        emit(.heredoc, start, syntax)

        // Find the body: the line after this one, or after heredocs already taken from it.
        var lineEnd = pos
        while lineEnd < b.count, b[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        var bodyStart = min(lineEnd + 1, b.count)
        if let r = heredocResume, r > bodyStart { bodyStart = r }
        var line = bodyStart
        let tagBytes = Array(tag.utf8)
        while line < b.count || line == bodyStart {
            var e = line
            while e < b.count, b[e] != UInt8(ascii: "\n") { e += 1 }
            if let (margin, trim) = endMarker(line, e, tagBytes) {
                var bodyEnd = line
                if trim, bodyEnd > bodyStart, b[bodyEnd - 1] == UInt8(ascii: "\n") {
                    bodyEnd -= 1
                    if bodyEnd > bodyStart, b[bodyEnd - 1] == UInt8(ascii: "\r") { bodyEnd -= 1 }
                }
                let resume = min(e + 1, b.count)
                let save = pos
                pos = bodyStart
                lexInterpolated(start: bodyStart, end: bodyEnd, terminator: nil, escapes: escapes, margin: margin, interpolate: interpolate)
                pos = save
                heredocResume = resume
                return true
            }
            if e >= b.count { break }
            line = e + 1
        }
        error(bodyStart, "Heredoc without end-tagged line")
        tokens.append(Token(kind: .string, spaceBefore: false, start: Int32(pos), end: Int32(pos), valueIndex: store("")))
        pos = b.count
        return true
    }

    /// Whether the line `[lineStart, lineEnd)` ends the heredoc, and then its margin (blanks before
    /// `|`, or 0) and whether the last line break is trimmed (`-`).
    ///
    /// Puppet searches the end tag with an unanchored pattern, `[blanks][|][blanks][-][blanks]TAG
    /// [blanks]` at the end of a line: so any line that ends with the tag ends the heredoc, and the
    /// leftmost place where the pattern matches decides `|` and `-` (`x-END` trims).
    func endMarker(_ lineStart: Int, _ lineEnd: Int, _ tag: [UInt8]) -> (Int, Bool)? {
        func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
        var e = lineEnd
        if e > lineStart, b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
        while e > lineStart, isBlank(b[e - 1]) { e -= 1 }
        guard e - lineStart >= tag.count, b[(e - tag.count)..<e].elementsEqual(tag) else { return nil }
        let k = e - tag.count
        for s in lineStart...k {
            var i = s
            while i < k, isBlank(b[i]) { i += 1 }
            var margin = 0
            if i < k, b[i] == UInt8(ascii: "|") {
                margin = i - s
                i += 1
                while i < k, isBlank(b[i]) { i += 1 }
            }
            var trim = false
            if i < k, b[i] == UInt8(ascii: "-") {
                trim = true
                i += 1
                while i < k, isBlank(b[i]) { i += 1 }
            }
            if i == k { return (margin, trim) }
        }
        return nil
    }

    // MARK: - Operators

    mutating func lexOperator(_ start: Int, _ c: UInt8) {
        let n = peek(1)
        let n2 = peek(2)
        func op(_ kind: TokenKind, _ length: Int) {
            pos += length
            emit(kind, start)
        }
        switch c {
        case UInt8(ascii: "="):
            if n == UInt8(ascii: "=") { op(.eq, 2) } else if n == UInt8(ascii: "~") { op(.match, 2) } else if n == UInt8(ascii: ">") { op(.farrow, 2) } else { op(.assign, 1) }
        case UInt8(ascii: "!"):
            if n == UInt8(ascii: "=") { op(.ne, 2) } else if n == UInt8(ascii: "~") { op(.noMatch, 2) } else { op(.not, 1) }
        case UInt8(ascii: "<"):
            if n == UInt8(ascii: "<"), n2 == UInt8(ascii: "|") { op(.llcollect, 3) } else if n == UInt8(ascii: "<") { op(.lshift, 2) } else if n == UInt8(ascii: "|") { op(.lcollect, 2) } else if n == UInt8(ascii: "=") { op(.le, 2) } else if n == UInt8(ascii: "-") { op(.outEdge, 2) } else if n == UInt8(ascii: "~") { op(.outEdgeSub, 2) } else { op(.lt, 1) }
        case UInt8(ascii: ">"):
            if n == UInt8(ascii: "=") { op(.ge, 2) } else if n == UInt8(ascii: ">") { op(.rshift, 2) } else { op(.gt, 1) }
        case UInt8(ascii: "|"):
            if n == UInt8(ascii: ">"), n2 == UInt8(ascii: ">") { op(.rrcollect, 3) } else if n == UInt8(ascii: ">") { op(.rcollect, 2) } else { op(.pipe, 1) }
        case UInt8(ascii: "-"):
            if n == UInt8(ascii: ">") { op(.inEdge, 2) } else if n == UInt8(ascii: "=") { op(.minusAssign, 2) } else { op(.minus, 1) }
        case UInt8(ascii: "~"):
            if n == UInt8(ascii: ">") { op(.inEdgeSub, 2) } else {
                pos += 1
                error(start, "Syntax error at '~'")
                emit(.error, start)
            }
        case UInt8(ascii: "+"):
            if n == UInt8(ascii: ">") { op(.parrow, 2) } else if n == UInt8(ascii: "=") { op(.plusAssign, 2) } else { op(.plus, 1) }
        case UInt8(ascii: "*"): op(.times, 1)
        case UInt8(ascii: "%"): op(.mod, 1)
        case UInt8(ascii: "?"): op(.question, 1)
        case UInt8(ascii: ":"): op(.colon, 1)
        case UInt8(ascii: "."): op(.dot, 1)
        case UInt8(ascii: "("): op(.lparen, 1)
        case UInt8(ascii: ")"): op(.rparen, 1)
        case UInt8(ascii: "{"): op(.lbrace, 1)
        case UInt8(ascii: "}"): op(.rbrace, 1)
        case UInt8(ascii: "["): op(.lbrack, 1)
        case UInt8(ascii: "]"): op(.rbrack, 1)
        case UInt8(ascii: ";"): op(.semicolon, 1)
        case UInt8(ascii: ","): op(.comma, 1)
        default:
            // One whole UTF-8 character, so that the message shows it.
            var len = 1
            while pos + len < b.count, b[pos + len] & 0xC0 == 0x80 { len += 1 }
            pos += len
            error(start, "Illegal character '\(String(decoding: b[start..<pos], as: UTF8.self))'")
            emit(.error, start)
        }
    }
}

extension StringProtocol {
    func trimmingBlanks() -> String { String(trimmingBlanksSubstring()) }
    func trimmingBlanksSubstring() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
