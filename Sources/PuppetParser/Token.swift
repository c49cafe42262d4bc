/// Token kinds of the Puppet 4+ language (after Puppet's lexer2 token set).
public enum TokenKind: UInt8, Sendable {
    case eof
    // Literals and names
    case name          // foo, foo::bar, ::foo
    case word          // bare word with a hyphen or leading underscore: foo-bar, _x
    case ref           // File, Apache::Vhost
    case variable      // $x, $::x, $a::b, $0 (value holds the name without '$')
    case number
    case string        // a complete string with no interpolation (value is decoded)
    case dqPre         // text before the first interpolation of a double-quoted string
    case dqMid         // text between two interpolations
    case dqPost        // text after the last interpolation
    case regex         // /re/ (value holds the pattern)
    case heredoc       // @(TAG) ... (value holds syntax; see Lexer.heredocs)
    // Keywords
    case kwAnd, kwCase, kwClass, kwDefault, kwDefine, kwElse, kwElsif, kwFalse, kwFunction, kwIf
    case kwIn, kwInherits, kwNode, kwOr, kwTrue, kwType, kwUndef, kwUnless
    case kwPrivate, kwAttr  // reserved
    // Operators
    case assign        // =
    case plusAssign    // +=
    case minusAssign   // -=
    case eq, ne, match, noMatch, lt, gt, le, ge
    case not           // !
    case plus, minus, times, div, mod, lshift, rshift
    case inEdge        // ->
    case inEdgeSub     // ~>
    case outEdge       // <-
    case outEdgeSub    // <~
    case lcollect      // <|
    case rcollect      // |>
    case llcollect     // <<|
    case rrcollect     // |>>
    case farrow        // =>
    case parrow        // +>
    case at            // @
    case atat          // @@
    case question      // ?
    case colon         // :
    case pipe          // |
    case dot           // .
    case lparen, rparen, lbrace, rbrace, lbrack, rbrack, semicolon, comma
    case error
}

/// One token, 16 bytes. Positions are byte offsets; decoded text (strings, variables' names,
/// regexes) lives in `Lexer.Result.values` at `valueIndex` — names and numbers are read from the
/// source, so most tokens carry no string at all.
public struct Token: Sendable {
    public var kind: TokenKind
    /// Whitespace, a comment or the start of input precedes the token (decides `[`: list vs access).
    public var spaceBefore: Bool
    public var start: Int32
    public var end: Int32
    public var valueIndex: Int32

    public var range: SourceRange { SourceRange(start, end) }
}

extension TokenKind {
    /// The keyword spelled by `bytes[start..<end]`, if any: the bytes are packed little-endian
    /// into one integer and matched by a switch (no String, no hashing: names are the most
    /// common token).
    static func keyword(_ bytes: [UInt8], _ start: Int, _ end: Int) -> TokenKind? {
        let n = end - start
        guard n >= 2, n <= 8, start >= 0, end <= bytes.count else { return nil }
        var packed: UInt64 = 0
        if start + 8 <= bytes.count {
            // One load and a mask (the usual case: not within 8 bytes of the end).
            packed = UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: UInt64.self) })
            if n < 8 { packed &= (1 << UInt64(8 * n)) - 1 }
        } else {
            for i in start..<end { packed |= UInt64(bytes[i]) << (8 * UInt64(i - start)) }
        }
        switch packed {
        case 0x646E61: return .kwAnd  // and
        case 0x72747461: return .kwAttr  // attr
        case 0x65736163: return .kwCase  // case
        case 0x7373616C63: return .kwClass  // class
        case 0x746C7561666564: return .kwDefault  // default
        case 0x656E69666564: return .kwDefine  // define
        case 0x65736C65: return .kwElse  // else
        case 0x6669736C65: return .kwElsif  // elsif
        case 0x65736C6166: return .kwFalse  // false
        case 0x6E6F6974636E7566: return .kwFunction  // function
        case 0x6669: return .kwIf  // if
        case 0x6E69: return .kwIn  // in
        case 0x7374697265686E69: return .kwInherits  // inherits
        case 0x65646F6E: return .kwNode  // node
        case 0x726F: return .kwOr  // or
        case 0x65746176697270: return .kwPrivate  // private
        case 0x65757274: return .kwTrue  // true
        case 0x65707974: return .kwType  // type
        case 0x6665646E75: return .kwUndef  // undef
        case 0x7373656C6E75: return .kwUnless  // unless
        default: return nil
        }
    }

    var isKeyword: Bool { rawValue >= TokenKind.kwAnd.rawValue && rawValue <= TokenKind.kwAttr.rawValue }

    /// After these a `/` is division, elsewhere it starts a regex (lexer2's regex_acceptable).
    var endsValue: Bool {
        switch self {
        case .name, .word, .ref, .number, .string, .dqPost, .heredoc, .regex, .variable,
             .rbrack, .rparen, .kwTrue, .kwFalse, .kwUndef, .kwDefault:
            return true
        default:
            return false
        }
    }

    /// The spelling used in "Syntax error at ..." messages for fixed tokens.
    var spelling: String? {
        switch self {
        case .assign: return "="
        case .plusAssign: return "+="
        case .minusAssign: return "-="
        case .eq: return "=="
        case .ne: return "!="
        case .match: return "=~"
        case .noMatch: return "!~"
        case .lt: return "<"
        case .gt: return ">"
        case .le: return "<="
        case .ge: return ">="
        case .not: return "!"
        case .plus: return "+"
        case .minus: return "-"
        case .times: return "*"
        case .div: return "/"
        case .mod: return "%"
        case .lshift: return "<<"
        case .rshift: return ">>"
        case .inEdge: return "->"
        case .inEdgeSub: return "~>"
        case .outEdge: return "<-"
        case .outEdgeSub: return "<~"
        case .lcollect: return "<|"
        case .rcollect: return "|>"
        case .llcollect: return "<<|"
        case .rrcollect: return "|>>"
        case .farrow: return "=>"
        case .parrow: return "+>"
        case .at: return "@"
        case .atat: return "@@"
        case .question: return "?"
        case .colon: return ":"
        case .pipe: return "|"
        case .dot: return "."
        case .lparen: return "("
        case .rparen: return ")"
        case .lbrace: return "{"
        case .rbrace: return "}"
        case .lbrack: return "["
        case .rbrack: return "]"
        case .semicolon: return ";"
        case .comma: return ","
        default: return nil
        }
    }
}
