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

/// One token. Positions are byte offsets; `value` is set only where the text needs decoding
/// (strings, variables' names, regexes) — names and numbers are read from the source.
public struct Token: Sendable {
    public var kind: TokenKind
    public var start: Int32
    public var end: Int32
    /// Whitespace, a comment or the start of input precedes the token (decides `[`: list vs access).
    public var spaceBefore: Bool
    public var value: String

    public var range: SourceRange { SourceRange(start, end) }
}

extension TokenKind {
    /// Puppet's keywords, by spelling.
    static let keywords: [String: TokenKind] = [
        "and": .kwAnd, "case": .kwCase, "class": .kwClass, "default": .kwDefault, "define": .kwDefine,
        "else": .kwElse, "elsif": .kwElsif, "false": .kwFalse, "function": .kwFunction, "if": .kwIf,
        "in": .kwIn, "inherits": .kwInherits, "node": .kwNode, "or": .kwOr, "true": .kwTrue,
        "type": .kwType, "undef": .kwUndef, "unless": .kwUnless, "private": .kwPrivate, "attr": .kwAttr,
    ]

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
