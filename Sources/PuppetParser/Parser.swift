/// A recursive-descent parser for the Puppet 4+ language, following the precedence of Puppet's
/// LALR grammar (lib/puppet/pops/parser/egrammar.ra). It never traps on bad input: a syntax error
/// is recorded and parsing resumes at the next statement boundary, so several errors can be
/// reported per file.
public struct Parser {
    let file: SourceFile
    /// Lexes ahead of the parser a batch at a time (see `advance`).
    var lexer: Lexer
    var p = 0
    var diagnostics: DiagnosticList
    var depth = 0
    /// Enclosing class names, to qualify nested definitions as Puppet does (`a::b` inside `a`).
    var namespace: [String] = []

    static let maxDepth = 400

    /// Functions that may be called without parentheses at statement level (Puppet's
    /// Factory::STATEMENT_CALLS).
    static let statementCalls: Set<String> = [
        "require", "realize", "include", "contain", "tag", "debug", "info", "notice", "warning", "err",
        "alert", "crit", "emerg", "fail", "import", "break", "next", "return",
    ]

    struct SyntaxError: Error {
        let offset: Int32
        let message: String
        /// At a token the lexer already reported: nothing more to say.
        var silent = false
    }

    /// Parses a whole file. The result always has a body or diagnostics, never a trap.
    /// `validate` adds the checks `puppet parser validate` makes after parsing (see Validator).
    ///
    /// `onStatement`, if given, is called with each top-level statement as soon as it is parsed
    /// and validated (so with `validate`), in order, while the rest of the file is still being
    /// read; nothing more is handed over once an error is found. The Program returned at the
    /// end is the same as without it.
    public static func parse(_ file: SourceFile, validate: Bool = true, onStatement: ((Expr) -> Void)? = nil) -> Program {
        let streaming = onStatement.map { Validator.StreamingValidation(file: file, deliver: $0) }
        // The tokens are dropped before validation, to keep peak memory down on large files.
        var (statements, diagnostics): ([Expr], DiagnosticList) = {
            var parser = Parser(file: file, lexer: Lexer(file: file), diagnostics: DiagnosticList())
            parser.lexer.lex(untilCount: Parser.lookahead + Parser.lexBatch)
            if let streaming {
                parser.onTopLevelStatement = { s, clean in streaming.add(s, parseIsClean: clean) }
            }
            let statements = parser.parseStatements(topLevel: true)
            // Puppet lexes lazily, so a lexical error ends the parse where its token starts; our
            // parser, which runs on all the tokens, must not report what comes after that.
            var all = parser.lexer.diagnostics
            let cutoff = parser.lexer.errorCutoff
            for d in parser.diagnostics.items where cutoff.map({ d.offset < Int32($0) }) ?? true { all.add(d) }
            return (statements, all)
        }()
        let body: Expr?
        switch statements.count {
        case 0: body = nil
        case 1: body = statements[0]
        default: body = Expr(.block(statements), statements[0].range.union(statements[statements.count - 1].range))
        }
        if validate, let body, !diagnostics.hasErrors {
            if let streaming {
                streaming.finish(into: &diagnostics)
            } else {
                Validator.validate(body, file: file, into: &diagnostics)
            }
        }
        statements.removeAll()
        return Program(file: file, body: body, diagnostics: diagnostics.sorted())
    }

    /// With a streaming parse: called with each top-level statement and whether the lexer and
    /// parser have found no error so far.
    var onTopLevelStatement: ((Expr, Bool) -> Void)?
    var hasErrors: Bool { diagnostics.hasErrors || lexer.diagnostics.hasErrors }

    public static func parse(path: String, text: String, validate: Bool = true) -> Program {
        parse(SourceFile(path: path, text: text), validate: validate)
    }

    // MARK: - Token helpers

    /// How far the grammar looks past the current token (`peekKind(2)`), and how many tokens
    /// the lexer reads at a time.
    static let lookahead = 3
    static let lexBatch = 1024

    var tok: Token { lexer[token: p] }
    var kind: TokenKind { lexer[token: p].kind }
    func peekKind(_ n: Int = 1) -> TokenKind { p + n < lexer.endIndex ? lexer[token: p + n].kind : .eof }
    func peekToken(_ n: Int = 1) -> Token { lexer[token: min(p + n, lexer.endIndex - 1)] }

    /// Moves to the next token, first lexing a batch if fewer than `lookahead` are left: there
    /// are always more than `lookahead` tokens past `p`, or the last one is `eof`.
    @inline(__always)
    mutating func advance() {
        if p + Parser.lookahead >= lexer.endIndex { lexBatch() }
        if p < lexer.endIndex - 1 { p += 1 }
    }

    /// Lexes the next batch, first dropping the tokens read but the last few (`p -= 1` steps
    /// back one), unless a backtracking parse may return to an earlier one.
    @inline(never)
    mutating func lexBatch() {
        if backtracking == 0 { lexer.dropTokens(before: p - Parser.keepBehind) }
        lexer.lex(untilCount: p + Parser.lookahead + Parser.lexBatch)
    }

    static let keepBehind = 8
    /// How many backtracking parses are under way: while one is, every token is kept.
    var backtracking = 0

    func text(_ t: Token) -> String { file.text(t.range) }

    /// The decoded text of a string, variable or regex token.
    func value(_ t: Token) -> String { t.valueIndex >= 0 ? lexer.values[Int(t.valueIndex)] : "" }

    /// How Puppet names a token in "Syntax error at ..." messages.
    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .string: return "'\(value(t))'"
        case .dqPre, .dqMid, .dqPost: return "'\(file.text(t.range))'"
        case .heredoc: return "'@('"
        default:
            var s = file.text(t.range)
            if s.count > 30 { s = String(s.prefix(30)) + "…" }
            return "'\(s)'"
        }
    }

    func syntaxError(_ expected: String? = nil) -> SyntaxError {
        let t = tok
        if t.kind == .error { return SyntaxError(offset: t.start, message: "", silent: true) }
        var message = t.kind == .eof ? "Syntax error at end of input" : "Syntax error at \(describe(t))"
        if let expected { message += "; expected \(expected)" }
        return SyntaxError(offset: t.start, message: message)
    }

    mutating func expect(_ k: TokenKind, _ what: String) throws -> Token {
        guard kind == k else { throw syntaxError(what) }
        let t = tok
        advance()
        return t
    }

    mutating func enter() throws {
        depth += 1
        if depth > Parser.maxDepth {
            throw SyntaxError(offset: tok.start, message: "Expression nested too deeply (more than \(Parser.maxDepth) levels)")
        }
    }

    // MARK: - Statements

    /// Statements up to `}` (left for the caller) or the end of input, recovering from errors at
    /// statement boundaries.
    mutating func parseStatements(topLevel: Bool = false) -> [Expr] {
        var statements: [Expr] = []
        while true {
            switch kind {
            case .eof:
                return statements
            case .rbrace where !topLevel:
                return statements
            case .semicolon:
                advance()
                continue
            default:
                break
            }
            let before = p
            do {
                let s = try parseStatement()
                statements.append(s)
                if topLevel, let handOver = onTopLevelStatement { handOver(s, !hasErrors) }
                // Puppet's grammar lets commas join statements (`include a, b` is handled in
                // parseStatement); a stray comma here is an error.
                if kind == .comma { throw syntaxError() }
            } catch let e as SyntaxError {
                if !e.silent { diagnostics.add(Diagnostic(at: e.offset, in: file, e.message)) }
                recover(from: before, topLevel: topLevel)
            } catch {
                recover(from: before, topLevel: topLevel)
            }
        }
    }

    /// Skips to a likely statement start: past a `;`, before an unbalanced `}` or a definition
    /// keyword at the start of a line, always making progress.
    mutating func recover(from start: Int, topLevel: Bool) {
        if p == start { advance() }
        var braces = 0
        while kind != .eof {
            switch kind {
            case .lbrace:
                braces += 1
            case .rbrace:
                if braces == 0 {
                    if topLevel { advance() }
                    return
                }
                braces -= 1
                if braces == 0 {
                    advance()
                    return
                }
            case .semicolon where braces == 0:
                advance()
                return
            case .kwClass, .kwDefine, .kwNode, .kwIf, .kwCase, .kwUnless, .kwFunction:
                if braces == 0 && startsLine(tok) { return }
            default:
                break
            }
            advance()
        }
    }

    func startsLine(_ t: Token) -> Bool {
        var i = Int(t.start) - 1
        while i >= 0 {
            let c = file.bytes[i]
            if c == UInt8(ascii: "\n") { return true }
            if c != UInt8(ascii: " ") && c != UInt8(ascii: "\t") { return false }
            i -= 1
        }
        return true
    }

    mutating func parseStatement() throws -> Expr {
        switch kind {
        case .kwClass where peekKind() == .name || peekKind() == .word || peekKind().isKeyword && peekKind() != .kwInherits:
            return try parseClassDefinition()
        case .kwDefine:
            return try parseDefineDefinition()
        case .kwNode:
            return try parseNodeDefinition()
        case .kwFunction where peekKind() == .name:
            return try parseFunctionDefinition()
        case .kwType where peekKind() == .ref:
            return try parseTypeAlias()
        case .kwType where peekKind() == .name:
            advance()
            throw syntaxError()
        case .name:
            let name = text(tok)
            if Parser.statementCalls.contains(name) {
                if let call = try parseStatementCall(name) { return call }
            }
        default:
            break
        }
        let e = try parseRelationship()
        return markStatement(e)
    }

    /// A function call used as a statement prints as `invoke` (its value is not needed).
    func markStatement(_ e: Expr) -> Expr {
        switch e.kind {
        case let .call(f, args, lambda, false):
            return Expr(.call(functor: f, arguments: args, lambda: lambda, statement: true), e.range)
        default:
            // Puppet prints method calls as `call-method` even as statements.
            return e
        }
    }

    /// `include a, b`, `notice 'x'`, `return`: a statement function called without parentheses.
    /// Returns nil when the name is used some other way (`include(x)`, `require => …`).
    mutating func parseStatementCall(_ name: String) throws -> Expr? {
        let nameTok = tok
        let next = peekToken()
        if name == "import", next.kind == .string || next.kind == .dqPre {
            throw SyntaxError(offset: nameTok.start, message: "'import' has been discontinued in favor of a manifest directory (Puppet 4 removed it); use modules and autoloading instead")
        }
        // Forms that are not statement calls.
        switch next.kind {
        case .lparen where !next.spaceBefore:
            return nil
        case .assign, .plusAssign, .minusAssign, .farrow, .parrow, .comma, .dot, .question,
             .inEdge, .inEdgeSub, .outEdge, .outEdgeSub, .eq, .ne, .match, .noMatch, .lt, .gt, .le, .ge,
             .plus, .minus, .times, .div, .mod, .lshift, .rshift, .kwAnd, .kwOr, .kwIn, .colon, .rparen, .rbrack, .pipe:
            return nil
        case .lbrack where !next.spaceBefore:
            return nil
        default:
            break
        }
        let functor = Expr(.name(name), nameTok.range)
        advance()
        var args: [Expr] = []
        if !startsExpression(kind) {
            // A bare `include` or `return` is a name, as in Puppet (which then reports it as an
            // expression without effect).
            p -= 1
            return nil
        }
        if kind == .lbrace {
            // `notice {a => 1}`: Puppet reads the braces like a resource body, so bare-word keys
            // become strings.
            args = [stringKeyed(try parsePrimary())]
        } else if startsExpression(kind) {
            args = try parseCallArgumentsWithoutParens()
        }
        let end = args.last?.range.end ?? nameTok.end
        return Expr(.call(functor: functor, arguments: args, lambda: nil, statement: true), SourceRange(nameTok.start, end))
    }

    func stringKeyed(_ e: Expr) -> Expr {
        guard case let .hash(entries) = e.kind else { return e }
        return Expr(.hash(entries.map { entry in
            if case let .name(n) = entry.key.kind { return KeyedEntry(key: Expr(.string(n), entry.key.range), value: entry.value) }
            return entry
        }), e.range)
    }

    func startsExpression(_ k: TokenKind) -> Bool {
        switch k {
        case .name, .word, .ref, .variable, .number, .string, .dqPre, .regex, .heredoc, .kwTrue, .kwFalse,
             .kwUndef, .kwDefault, .kwIf, .kwUnless, .kwCase, .lparen, .lbrack, .lbrace, .not, .minus, .times,
             .kwType, .kwFunction, .kwPrivate, .kwAttr, .at, .atat, .kwClass:
            return true
        default:
            return false
        }
    }

    mutating func parseCallArgumentsWithoutParens() throws -> [Expr] {
        var args: [Expr] = []
        while true {
            // Unlike `f(a => 1)`, `f a => 1` is a syntax error in Puppet.
            args.append(try parseAssignment())
            if kind == .comma, startsExpression(peekKind()) {
                advance()
                continue
            }
            return args
        }
    }

    // MARK: - Relationships and resources

    /// Operands joined by `->`, `~>`, `<-`, `<~` (the loosest binding operators).
    mutating func parseRelationship() throws -> Expr {
        var left = try parseResourceOrExpression()
        while true {
            let op: RelationshipOperator
            switch kind {
            case .inEdge: op = .before
            case .inEdgeSub: op = .notify
            case .outEdge: op = .require
            case .outEdgeSub: op = .subscribe
            default: return left
            }
            advance()
            let right = try parseResourceOrExpression()
            left = Expr(.relationship(op, left, right), left.range.union(right.range))
        }
    }

    /// An expression, or a resource expression / defaults / override / collector block where the
    /// expression is followed by `{`.
    mutating func parseResourceOrExpression() throws -> Expr {
        var form = ResourceForm.regular
        let start = tok.start
        if kind == .at || kind == .atat {
            form = kind == .at ? .virtual : .exported
            advance()
        }
        let e = try parseAssignment()
        // `name {}` is, in Puppet's grammar, a block of the name and an empty hash (the validator
        // then explains the likely mistake, a resource without a title).
        if kind == .lbrace, peekKind() == .rbrace, case .name = e.kind, form == .regular {
            let open = tok
            advance()
            let close = tok
            advance()
            let hash = Expr(.hash([]), SourceRange(open.start, close.end))
            return Expr(.block([e, hash]), SourceRange(e.range.start, close.end))
        }
        if kind == .lbrace {
            switch e.kind {
            case .name, .reference, .access:
                return try parseResourceBody(type: e, form: form, start: start)
            case .variable where !bodyStartsWithAttributeOperation() && peekKind() != .rbrace:
                // `$type { $title: … }`, as Puppet's grammar has it; Puppet 7's evaluator (and
                // ours) then rejects a variable as a resource type.
                return try parseResourceBody(type: e, form: form, start: start)
            case .string, .concatenated, .integer, .float, .list, .boolean:
                // Puppet's grammar reads any expression before `{` as a resource type
                // (`'notify' { x: }`, `[A, B] { x: }`; `'x' { a => 1 }` is its syntax error at
                // `=>`); its evaluator then rejects the type, and so does ours.
                if peekKind() == .rbrace {
                    throw SyntaxError(offset: e.range.start, message: "Expression is not valid as a resource, resource-default, or resource-override")
                }
                return try parseResourceBody(type: e, form: form, start: start)
            case let .collect(type, query, ops) where form == .regular && ops.isEmpty:
                advance()
                let operations = try parseAttributeOperations()
                let close = try expect(.rbrace, "'}'")
                return Expr(.collect(type: type, query: query, operations: operations), SourceRange(start, close.end))
            default:
                break
            }
        }
        if kind == .lbrace, form == .regular {
            var invalid = false
            if case .call = e.kind { invalid = true }
            if case .variable = e.kind { invalid = true }
            if invalid {
                throw SyntaxError(offset: e.range.start, message: "Expression is not valid as a resource, resource-default, or resource-override")
            }
        }
        if form != .regular {
            let word = form == .virtual ? "Virtual (@)" : "Exported (@@)"
            throw SyntaxError(offset: start, message: "\(word) can only be applied to a Resource Expression")
        }
        return e
    }

    /// At `{`: does the body start like `name =>` (defaults or override) rather than a title?
    func bodyStartsWithAttributeOperation() -> Bool {
        let a = peekKind(1), b = peekKind(2)
        let isName = a == .name || a == .word || a == .ref || a.isKeyword
        return (isName && (b == .farrow || b == .parrow)) || (a == .times && b == .farrow)
    }

    func isAttributeOperationStart() -> Bool {
        switch kind {
        case .name, .word, .ref:
            return peekKind() == .farrow || peekKind() == .parrow
        case .times:
            return peekKind() == .farrow
        default:
            return kind.isKeyword && (peekKind() == .farrow || peekKind() == .parrow)
        }
    }

    /// After `type` at `{`: resource bodies (`title: attrs; …`), or attribute operations for
    /// defaults (`File { … }`) and overrides (`File['x'] { … }`).
    mutating func parseResourceBody(type: Expr, form: ResourceForm, start: Int32) throws -> Expr {
        let open = tok
        advance()
        let isReferenceLike: Bool
        switch type.kind {
        case .reference, .access: isReferenceLike = true
        default: isReferenceLike = false
        }
        if isReferenceLike && (kind == .rbrace || isAttributeOperationStart()) {
            let operations = try parseAttributeOperations()
            let close = try expect(.rbrace, "'}'")
            let range = SourceRange(start, close.end)
            if case .access = type.kind {
                return Expr(.resourceOverride(form: form, resources: type, operations: operations), range)
            }
            return Expr(.resourceDefaults(form: form, type: type, operations: operations), range)
        }
        if case .name = type.kind, kind == .rbrace || isAttributeOperationStart() {
            throw SyntaxError(offset: kind == .rbrace ? tok.start : open.start,
                              message: kind == .rbrace ? "Syntax error at '}'; expected a resource title followed by ':'"
                                                       : "Syntax error at '\(text(tok))'; expected a resource title followed by ':'")
        }
        var bodies: [ResourceBody] = []
        while true {
            let titleStart = tok.start
            let title = try parseAssignment()
            guard kind == .colon else { throw syntaxError("':' after the resource title") }
            advance()
            let operations = try parseAttributeOperations()
            bodies.append(ResourceBody(title: title, operations: operations, range: SourceRange(titleStart, lexer[token: max(lexer.base, p - 1)].end)))
            if kind == .semicolon {
                advance()
                if kind == .rbrace { break }
                continue
            }
            break
        }
        let close = try expect(.rbrace, "'}' or ';' after the resource attributes")
        return Expr(.resource(form: form, type: type, bodies: bodies), SourceRange(start, close.end))
    }

    /// `name => value, name +> value, * => hash` (trailing comma allowed).
    mutating func parseAttributeOperations() throws -> [AttributeOperation] {
        var ops: [AttributeOperation] = []
        ops.reserveCapacity(4)  // most bodies have a few (growing 1 → 2 → 4 reallocates twice)
        // Puppet accepts a comma right after the title's colon: `title:, attr => v`.
        if kind == .comma { advance() }
        while kind != .rbrace && kind != .semicolon && kind != .eof {
            let nameTok = tok
            let isSplat: Bool
            let name: String
            switch kind {
            case .times:
                isSplat = true
                name = "*"
            case .name, .word, .ref:
                isSplat = false
                name = text(nameTok)
            default:
                guard kind.isKeyword else { throw syntaxError("an attribute name") }
                isSplat = false
                name = text(nameTok)
            }
            advance()
            let op: AttributeOperation.Operator
            switch kind {
            case .farrow: op = .set
            case .parrow where !isSplat: op = .append
            default: throw syntaxError("'=>'")
            }
            advance()
            let value = try loneLiteral(before: .comma, .rbrace) ?? parseAssignment()
            ops.append(AttributeOperation(name: name, op: op, value: value, isSplat: isSplat, range: SourceRange(nameTok.start, value.range.end)))
            if kind == .comma {
                advance()
                continue
            }
            break
        }
        if kind != .rbrace && kind != .semicolon {
            throw syntaxError(ops.isEmpty ? nil : "',' between attributes")
        }
        return ops
    }

    // MARK: - Binary operators (lowest to highest)

    /// A string, a bare word, `true`, `false` or `undef` followed by `end` or `otherEnd` (the
    /// usual attribute value or list element), made at once rather than through every
    /// operator level below parseAssignment (which makes the same node); nil, consuming
    /// nothing, for anything else.
    mutating func loneLiteral(before end: TokenKind, _ otherEnd: TokenKind) -> Expr? {
        switch kind {
        case .string, .name, .word, .kwTrue, .kwFalse, .kwUndef: break
        default: return nil
        }
        let next = peekKind()
        guard next == end || next == otherEnd else { return nil }
        let t = tok
        advance()
        switch t.kind {
        case .string: return Expr(.string(value(t)), t.range)
        case .kwTrue, .kwFalse: return Expr(.boolean(t.kind == .kwTrue), t.range)
        case .kwUndef: return Expr(.undef, t.range)
        default: return Expr(.name(text(t)), t.range)
        }
    }

    mutating func parseAssignment() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        let left = try parseOr()
        let op: AssignmentOperator
        switch kind {
        case .assign: op = .assign
        case .plusAssign: op = .append
        case .minusAssign: op = .delete
        default: return left
        }
        advance()
        var right = try parseAssignment()
        // `$r = notify { 'x': }`: a resource expression is a value too.
        if kind == .lbrace {
            switch right.kind {
            case .name, .reference, .access:
                right = try parseResourceBody(type: right, form: .regular, start: right.range.start)
            default: break
            }
        }
        return Expr(.assignment(op, left, right), left.range.union(right.range))
    }

    /// Binding power of a binary operator (or the selector `?`), higher binds tighter, after
    /// egrammar.ra: `or` < `and` < `?` < comparison < `==` `!=` < shifts < `+` `-` < `*` `/` `%`
    /// < `=~` `!~` < `in`.
    static func binaryOperator(_ k: TokenKind) -> (BinaryOperator?, Int)? {
        switch k {
        case .kwOr: return (.or, 1)
        case .kwAnd: return (.and, 2)
        case .question: return (nil, 3)
        case .lt: return (.less, 4)
        case .le: return (.lessEqual, 4)
        case .gt: return (.greater, 4)
        case .ge: return (.greaterEqual, 4)
        case .eq: return (.equal, 5)
        case .ne: return (.notEqual, 5)
        case .lshift: return (.leftShift, 6)
        case .rshift: return (.rightShift, 6)
        case .plus: return (.plus, 7)
        case .minus: return (.minus, 7)
        case .times: return (.times, 8)
        case .div: return (.divide, 8)
        case .mod: return (.modulo, 8)
        case .match: return (.matches, 9)
        case .noMatch: return (.notMatches, 9)
        case .kwIn: return (.in, 10)
        default: return nil
        }
    }

    mutating func parseOr() throws -> Expr {
        try parseBinary(minPower: 1)
    }

    /// Precedence climbing over the binary operators. The selector `x ? {…}` is an operator with
    /// a low left binding power (`1+2 ? …` selects on `1+2`) whose result can still be the left
    /// operand of any operator that follows (`$t ? {…} != x` compares the selection), which is
    /// how Puppet's LALR grammar resolves it.
    mutating func parseBinary(minPower: Int) throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var left = try parseUnary()
        while let (op, power) = Parser.binaryOperator(kind), power >= minPower {
            advance()
            guard let op else {
                left = try parseSelectorEntries(left)
                continue
            }
            let right = try parseBinary(minPower: power + 1)
            left = Expr(.binary(op, left, right), left.range.union(right.range))
        }
        return left
    }

    /// After `?`: `{ m => v, … }`, or a single `m => v` without braces.
    mutating func parseSelectorEntries(_ left: Expr) throws -> Expr {
        var entries: [SelectorEntry] = []
        let end: Int32
        if kind == .lbrace {
            advance()
            if kind == .rbrace { throw syntaxError("a selector entry") }
            while kind != .rbrace {
                let m = try parseAssignment()
                _ = try expect(.farrow, "'=>'")
                let v = try parseAssignment()
                entries.append(SelectorEntry(match: m, value: v))
                if kind == .comma { advance() } else { break }
            }
            end = try expect(.rbrace, "'}'").end
        } else {
            let m = try parseBinary(minPower: 4)
            _ = try expect(.farrow, "'=>'")
            let v = try parseBinary(minPower: 4)
            entries.append(SelectorEntry(match: m, value: v))
            end = v.range.end
        }
        return Expr(.selector(left, entries), SourceRange(left.range.start, end))
    }

    mutating func parseUnary() throws -> Expr {
        let start = tok.start
        let make: (Expr) -> Expr.Kind
        switch kind {
        case .not: make = { .not($0) }
        case .minus: make = { .unaryMinus($0) }
        case .times: make = { .unfold($0) }
        default: return try parsePostfix()
        }
        advance()
        try enter()
        defer { depth -= 1 }
        let operand = try parseUnary()
        return Expr(make(operand), SourceRange(start, operand.range.end))
    }

    // MARK: - Postfix: access, method calls, selectors, collectors

    mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        while true {
            switch kind {
            case .lbrack where !tok.spaceBefore:
                advance()
                if kind == .rbrack { throw syntaxError("an index or key") }
                let keys = try parseElements(closing: .rbrack)
                let close = try expect(.rbrack, "']'")
                e = Expr(.access(e, keys), SourceRange(e.range.start, close.end))
                // `Integer[0, 100]('10')`: a parameterized type called as a function.
                if kind == .lparen, !tok.spaceBefore {
                    e = try parseCall(functor: e)
                }
            case .dot:
                advance()
                let nameTok = tok
                guard kind == .name || kind == .ref || kind.isKeyword || kind == .word else { throw syntaxError("a function name after '.'") }
                advance()
                let member = Expr(.name(text(nameTok)), nameTok.range)
                let functor = Expr(.namedAccess(e, member), SourceRange(e.range.start, nameTok.end))
                var args: [Expr] = []
                var end = nameTok.end
                if kind == .lparen && !tok.spaceBefore {
                    advance()
                    args = try parseElements(closing: .rparen)
                    end = try expect(.rparen, "')'").end
                }
                var lambda: Expr? = nil
                if kind == .pipe {
                    let l = try parseLambda()
                    lambda = l
                    end = l.range.end
                }
                e = Expr(.callMethod(functor: functor, arguments: args, lambda: lambda, statement: false), SourceRange(e.range.start, end))
            case .lcollect, .llcollect:
                guard case .reference = e.kind else { return e }
                let exported = kind == .llcollect
                let open = tok
                advance()
                let closing: TokenKind = exported ? .rrcollect : .rcollect
                var query: Expr? = nil
                if kind != closing {
                    query = try parseOr()
                }
                let close = try expect(closing, exported ? "'|>>'" : "'|>'")
                let q = CollectQuery(exported: exported, expr: query, range: SourceRange(open.start, close.end))
                e = Expr(.collect(type: e, query: q, operations: []), SourceRange(e.range.start, close.end))
            default:
                return e
            }
        }
    }

    /// Comma-separated expressions up to `closing` (not consumed), with a trailing comma allowed;
    /// `key => value` runs become one hash, as in `[1, a => 2]` or `f(a => 1)`.
    mutating func parseElements(closing: TokenKind) throws -> [Expr] {
        var items: [Expr] = []
        while kind != closing {
            let e = try loneLiteral(before: .comma, closing) ?? parseAssignment()
            if kind == .farrow {
                items.append(try parseUnbracedHash(firstKey: e))
            } else {
                items.append(e)
            }
            if kind == .comma {
                advance()
                continue
            }
            if kind != closing { throw syntaxError() }
        }
        return items
    }

    /// `k => v, k => v` without braces; stops at an element that is not a `=>` pair.
    mutating func parseUnbracedHash(firstKey: Expr) throws -> Expr {
        var entries: [KeyedEntry] = []
        var key = firstKey
        while true {
            _ = try expect(.farrow, "'=>'")
            let value = try parseAssignment()
            entries.append(KeyedEntry(key: key, value: value))
            // Continue only if the next element is another pair.
            guard kind == .comma else { break }
            let save = p
            let saveDiagnostics = diagnostics
            backtracking += 1
            advance()
            let next = try? parseAssignment()
            backtracking -= 1
            if let next, kind == .farrow {
                key = next
                continue
            }
            p = save
            diagnostics = saveDiagnostics
            break
        }
        return Expr(.hash(entries), firstKey.range.union(entries[entries.count - 1].value.range))
    }

    // MARK: - Primary expressions

    mutating func parsePrimary() throws -> Expr {
        let t = tok
        switch t.kind {
        case .number:
            advance()
            return try numberLiteral(t)
        case .string:
            advance()
            return Expr(.string(value(t)), t.range)
        case .dqPre:
            return try parseInterpolatedString()
        case .heredoc:
            advance()
            let textExpr: Expr
            if kind == .string {
                textExpr = Expr(.string(value(tok)), tok.range)
                advance()
            } else if kind == .dqPre {
                textExpr = try parseInterpolatedString()
            } else {
                throw syntaxError("heredoc text")
            }
            return Expr(.heredoc(syntax: value(t), text: textExpr), SourceRange(t.start, textExpr.range.end))
        case .variable:
            advance()
            return Expr(.variable(value(t)), t.range)
        case .regex:
            advance()
            return Expr(.regex(value(t)), t.range)
        case .kwTrue, .kwFalse:
            advance()
            return Expr(.boolean(t.kind == .kwTrue), t.range)
        case .kwUndef:
            advance()
            return Expr(.undef, t.range)
        case .kwDefault:
            advance()
            return Expr(.defaultLiteral, t.range)
        case .kwPrivate, .kwAttr:
            advance()
            return Expr(.reservedWord(text(t)), t.range)
        case .kwType, .kwFunction:
            advance()
            if kind == .lparen, !tok.spaceBefore {
                return try parseCall(functor: Expr(.name(text(t)), t.range))
            }
            return Expr(.string(text(t)), t.range)
        case .name, .word:
            advance()
            let nameExpr = Expr(.name(text(t)), t.range)
            // `f (x)` is a call too, but a `(` that starts a line begins a new expression.
            if kind == .lparen, !tok.spaceBefore || (t.kind == .name && !startsLine(tok)) {
                return try parseCall(functor: nameExpr)
            }
            return nameExpr
        case .ref:
            advance()
            let refExpr = Expr(.reference(text(t)), t.range)
            if kind == .lparen, !tok.spaceBefore || !startsLine(tok) {
                return try parseCall(functor: refExpr)
            }
            return refExpr
        case .kwClass where peekKind() == .lbrace:
            advance()
            return Expr(.name("class"), t.range)
        case .lparen:
            advance()
            try enter()
            defer { depth -= 1 }
            // A resource expression is a value in Puppet's grammar (its references):
            // `message => (notify { x: })` declares Notify[x] there.
            let inner = try parseResourceOrExpression()
            let close = try expect(.rparen, "')'")
            return Expr(.parenthesized(inner), SourceRange(t.start, close.end))
        case .lbrack:
            advance()
            try enter()
            defer { depth -= 1 }
            let items = try parseElements(closing: .rbrack)
            let close = try expect(.rbrack, "']'")
            return Expr(.list(items), SourceRange(t.start, close.end))
        case .lbrace:
            advance()
            try enter()
            defer { depth -= 1 }
            var entries: [KeyedEntry] = []
            while kind != .rbrace {
                let k = try parseAssignment()
                _ = try expect(.farrow, "'=>'")
                let v = try parseAssignment()
                entries.append(KeyedEntry(key: k, value: v))
                if kind == .comma { advance() } else if kind != .rbrace { throw syntaxError() }
            }
            let close = try expect(.rbrace, "'}'")
            return Expr(.hash(entries), SourceRange(t.start, close.end))
        case .kwIf:
            return try parseIf()
        case .kwUnless:
            return try parseUnless()
        case .kwCase:
            return try parseCase()
        case .pipe:
            // A lambda in value position (only valid after a call; reported there).
            throw syntaxError()
        default:
            throw syntaxError(t.kind == .eof ? nil : "an expression")
        }
    }

    func numberLiteral(_ t: Token) throws -> Expr {
        let s = text(t)
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            guard let v = Int(s.dropFirst(2), radix: 16) else { throw SyntaxError(offset: t.start, message: "Integer '\(s)' is out of range") }
            return Expr(.integer(v, radix: 16), t.range)
        }
        if s.contains(".") || ((s.contains("e") || s.contains("E"))) {
            guard let v = Double(s) else { throw SyntaxError(offset: t.start, message: "Illegal number '\(s)'") }
            return Expr(.float(v), t.range)
        }
        if s.count > 1, s.hasPrefix("0") {
            guard s.allSatisfy({ $0 >= "0" && $0 <= "7" }) else {
                throw SyntaxError(offset: t.start, message: "Not a valid octal number: '\(s)'")
            }
            guard let v = Int(s.dropFirst(), radix: 8) else { throw SyntaxError(offset: t.start, message: "Integer '\(s)' is out of range") }
            return Expr(.integer(v, radix: 8), t.range)
        }
        guard let v = Int(s) else { throw SyntaxError(offset: t.start, message: "Integer '\(s)' is out of range") }
        return Expr(.integer(v, radix: 10), t.range)
    }

    /// `dqPre expr (dqMid expr)* dqPost` → `(cat 'pre' (str expr) … 'post')`.
    mutating func parseInterpolatedString() throws -> Expr {
        let first = tok
        var segments: [Expr] = [Expr(.string(value(first)), first.range)]
        advance()
        while true {
            let e = try parseAssignment()
            segments.append(Expr(.text(e), e.range))
            let t = tok
            switch t.kind {
            case .dqMid:
                segments.append(Expr(.string(value(t)), t.range))
                advance()
            case .dqPost:
                segments.append(Expr(.string(value(t)), t.range))
                advance()
                return Expr(.concatenated(segments), SourceRange(first.start, t.end))
            default:
                throw syntaxError("'}' to close the interpolation")
            }
        }
    }

    mutating func parseCall(functor: Expr) throws -> Expr {
        advance()  // (
        let args = try parseElements(closing: .rparen)
        var end = try expect(.rparen, "')'").end
        var lambda: Expr? = nil
        if kind == .pipe {
            let l = try parseLambda()
            lambda = l
            end = l.range.end
        }
        return Expr(.call(functor: functor, arguments: args, lambda: lambda, statement: false), SourceRange(functor.range.start, end))
    }

    /// `|params| { body }`, optionally `|params| >> ReturnType { body }`.
    mutating func parseLambda() throws -> Expr {
        let open = try expect(.pipe, "'|'")
        let params = try parseParameterList(closing: .pipe)
        _ = try expect(.pipe, "'|'")
        var returnType: Expr? = nil
        if kind == .rshift {
            advance()
            returnType = try parseTypeExpression()
        }
        let (body, close) = try parseBraceBody(alwaysBlock: true)
        return Expr(.lambda(parameters: params, returnType: returnType, body: body), SourceRange(open.start, close))
    }

    /// `{ statements }` → nil (empty), the single statement, or a block. Definitions and lambdas
    /// (`alwaysBlock`) keep even a single statement in a block, as Puppet's parser does.
    mutating func parseBraceBody(alwaysBlock: Bool = false) throws -> (Expr?, Int32) {
        let open = try expect(.lbrace, "'{'")
        try enter()
        defer { depth -= 1 }
        let statements = parseStatements()
        let close = try expect(.rbrace, "'}'")
        switch statements.count {
        case 0: return (nil, close.end)
        case 1 where !alwaysBlock: return (statements[0], close.end)
        default: return (Expr(.block(statements), SourceRange(open.start, close.end)), close.end)
        }
    }

    // MARK: - Conditionals

    mutating func parseIf() throws -> Expr {
        let start = tok.start
        advance()  // if / elsif
        let test = try parseAssignment()
        let (then, thenEnd) = try parseBraceBody()
        var end = thenEnd
        var elseExpr: Expr? = nil
        if kind == .kwElsif {
            let nested = try parseIf()
            elseExpr = nested
            end = nested.range.end
        } else if kind == .kwElse {
            advance()
            let (e, eEnd) = try parseBraceBody()
            elseExpr = e
            end = eEnd
        }
        return Expr(.ifExpr(test: test, then: then, else: elseExpr), SourceRange(start, end))
    }

    mutating func parseUnless() throws -> Expr {
        let start = tok.start
        advance()
        let test = try parseAssignment()
        let (then, thenEnd) = try parseBraceBody()
        var end = thenEnd
        var elseExpr: Expr? = nil
        if kind == .kwElsif {
            throw SyntaxError(offset: tok.start, message: "elsif not supported in unless expression")
        }
        if kind == .kwElse {
            advance()
            let (e, eEnd) = try parseBraceBody()
            elseExpr = e
            end = eEnd
        }
        return Expr(.unlessExpr(test: test, then: then, else: elseExpr), SourceRange(start, end))
    }

    mutating func parseCase() throws -> Expr {
        let start = tok.start
        advance()
        let test = try parseAssignment()
        _ = try expect(.lbrace, "'{'")
        var options: [CaseOption] = []
        while kind != .rbrace {
            let optStart = tok.start
            var values: [Expr] = []
            while true {
                values.append(try parseAssignment())
                if kind == .comma {
                    advance()
                    if kind == .colon { break }
                    continue
                }
                break
            }
            _ = try expect(.colon, "':' after the case values")
            let (body, end) = try parseBraceBody(alwaysBlock: true)
            options.append(CaseOption(values: values, then: body, range: SourceRange(optStart, end)))
        }
        let close = try expect(.rbrace, "'}'")
        return Expr(.caseExpr(test: test, options: options), SourceRange(start, close.end))
    }

    // MARK: - Definitions

    mutating func definitionName(_ what: String) throws -> (String, Token) {
        let t = tok
        switch t.kind {
        case .name, .word:
            advance()
            // Kept as written: the validator rejects `::x`, `x-y` and `_x`, as Puppet does.
            return (text(t), t)
        default:
            if t.kind.isKeyword {
                throw SyntaxError(offset: t.start, message: "Syntax error at '\(text(t))'; the keyword '\(text(t))' cannot be used as the name of a \(what)")
            }
            throw syntaxError("the name of the \(what)")
        }
    }

    /// Puppet qualifies a definition nested in a class with the class's name.
    func qualified(_ name: String) -> String {
        guard let outer = namespace.last, !outer.isEmpty else { return name }
        return "\(outer)::\(name)"
    }

    mutating func parseClassDefinition() throws -> Expr {
        let start = tok.start
        advance()
        let (rawName, _) = try definitionName("class")
        let name = namespace.isEmpty ? rawName : qualified(rawName)
        var params: [Parameter] = []
        if kind == .lparen {
            advance()
            params = try parseParameterList(closing: .rparen)
            _ = try expect(.rparen, "')'")
        }
        var parent: String? = nil
        if kind == .kwInherits {
            advance()
            let t = tok
            switch t.kind {
            case .name, .word, .kwDefault:
                parent = text(t)
                advance()
            case .string:
                parent = value(t)
                advance()
            default:
                throw syntaxError("the name of the parent class")
            }
        }
        namespace.append(name)
        defer { namespace.removeLast() }
        let (body, end) = try parseBraceBody(alwaysBlock: true)
        return Expr(.classDefinition(name: name, parent: parent, parameters: params, body: body), SourceRange(start, end))
    }

    mutating func parseDefineDefinition() throws -> Expr {
        let start = tok.start
        advance()
        let (rawName, _) = try definitionName("defined resource type")
        let name = namespace.isEmpty ? rawName : qualified(rawName)
        var params: [Parameter] = []
        if kind == .lparen {
            advance()
            params = try parseParameterList(closing: .rparen)
            _ = try expect(.rparen, "')'")
        }
        // Only classes qualify the names of definitions nested in them; defines do not.
        namespace.append("")
        defer { namespace.removeLast() }
        let (body, end) = try parseBraceBody(alwaysBlock: true)
        return Expr(.defineDefinition(name: name, parameters: params, body: body), SourceRange(start, end))
    }

    mutating func parseFunctionDefinition() throws -> Expr {
        let start = tok.start
        advance()
        let (name, _) = try definitionName("function")
        var params: [Parameter] = []
        if kind == .lparen {
            advance()
            params = try parseParameterList(closing: .rparen)
            _ = try expect(.rparen, "')'")
        }
        var returnType: Expr? = nil
        if kind == .rshift {
            advance()
            returnType = try parseTypeExpression()
        }
        let (body, end) = try parseBraceBody(alwaysBlock: true)
        return Expr(.functionDefinition(name: name, parameters: params, returnType: returnType, body: body), SourceRange(start, end))
    }

    mutating func parseTypeAlias() throws -> Expr {
        let start = tok.start
        advance()
        let nameTok = tok
        advance()
        _ = try expect(.assign, "'='")
        let type = try parseAssignment()
        return Expr(.typeAlias(name: text(nameTok), type: type), SourceRange(start, max(nameTok.end, type.range.end)))
    }

    mutating func parseNodeDefinition() throws -> Expr {
        let start = tok.start
        advance()
        var matches: [Expr] = []
        while true {
            matches.append(try parseHostMatch())
            if kind == .comma {
                advance()
                if kind == .lbrace { break }
                continue
            }
            break
        }
        // `node a inherits b` parses (the validator rejects it, naming the removed construct).
        var parent: Expr? = nil
        if kind == .kwInherits {
            advance()
            parent = try parseHostMatch()
        }
        let (body, end) = try parseBraceBody(alwaysBlock: true)
        return Expr(.nodeDefinition(matches: matches, parent: parent, body: body), SourceRange(start, end))
    }

    /// A node name: a quoted string, a regex, `default`, or a dotted name such as `web01.example.com`.
    mutating func parseHostMatch() throws -> Expr {
        let t = tok
        switch t.kind {
        case .string:
            advance()
            return Expr(.string(value(t)), t.range)
        case .dqPre:
            return try parseInterpolatedString()
        case .regex:
            advance()
            return Expr(.regex(value(t)), t.range)
        case .kwDefault:
            advance()
            return Expr(.defaultLiteral, t.range)
        case .name, .word, .number:
            // Names, numbers and dots make one host name: `www.example.com`, `10.0.0.1` (Puppet
            // also accepts blanks around the dots).
            var parts = [text(t)]
            var end = t.end
            advance()
            while kind == .dot {
                advance()
                guard kind == .name || kind == .word || kind == .number || kind.isKeyword else { throw syntaxError("a node name after '.'") }
                parts.append(text(tok))
                end = tok.end
                advance()
            }
            return Expr(.string(parts.joined(separator: ".")), SourceRange(t.start, end))
        default:
            throw syntaxError("a node name")
        }
    }

    /// `[Type] [*]$name [= default]`, comma separated, trailing comma allowed.
    mutating func parseParameterList(closing: TokenKind) throws -> [Parameter] {
        var params: [Parameter] = []
        while kind != closing {
            var type: Expr? = nil
            if kind != .variable && kind != .times {
                type = try parseTypeExpression()
            }
            var rest = false
            if kind == .times {
                rest = true
                advance()
            }
            guard kind == .variable else { throw syntaxError("a parameter name ($name)") }
            // Puppet places a parameter at its variable (after any type and `*`).
            let start = tok.start
            let name = value(tok)
            var end = tok.end
            advance()
            var value: Expr? = nil
            if kind == .assign {
                advance()
                let v = try parseAssignment()
                value = v
                end = v.range.end
            }
            params.append(Parameter(name: name, type: type, value: value, capturesRest: rest, range: SourceRange(start, end)))
            if kind == .comma {
                advance()
                continue
            }
            if kind != closing { throw syntaxError() }
        }
        return params
    }

    /// A type in a parameter list or after `>>`: a reference with optional access, e.g.
    /// `Optional[Array[String]]`.
    mutating func parseTypeExpression() throws -> Expr {
        guard kind == .ref else { throw syntaxError("a type or a parameter name") }
        let t = tok
        advance()
        var e = Expr(.reference(text(t)), t.range)
        while kind == .lbrack {
            advance()
            let keys = try parseElements(closing: .rbrack)
            let close = try expect(.rbrack, "']'")
            e = Expr(.access(e, keys), SourceRange(t.start, close.end))
        }
        return e
    }
}
