/// The checks `puppet parser validate` makes after a successful parse (a subset of Puppet's
/// Checker4_0): expressions whose value is thrown away, definitions in places where they cannot
/// be, assignments to things that are not variables.
public enum Validator {
    static func validate(_ body: Expr, file: SourceFile, into diagnostics: inout DiagnosticList) {
        var v = Walker(file: file, diagnostics: diagnostics)
        v.check(body, context: .topLevel)
        // Redefinitions are found by Puppet's loader, after validation passed.
        if !v.diagnostics.hasErrors {
            for d in v.redefinitions { v.diagnostics.add(d) }
        }
        diagnostics = v.diagnostics
    }

    /// Validation of a file's top-level statements one at a time, as a streaming parse
    /// finishes them, with the diagnostics `validate` gives for the whole body: the same walker
    /// checks the same statements in the same order. A statement is checked, and handed on,
    /// once the next one is parsed (whether a value-producing statement is an error depends on
    /// whether it is the last); nothing is handed on after the first error, and nothing is
    /// checked after a syntax error (the parse then reports only those).
    final class StreamingValidation {
        var walker: Walker
        var held: Expr?
        var parseFailed = false
        let deliver: (Expr) -> Void

        init(file: SourceFile, deliver: @escaping (Expr) -> Void) {
            walker = Walker(file: file, diagnostics: DiagnosticList())
            self.deliver = deliver
        }

        func add(_ s: Expr, parseIsClean: Bool) {
            if !parseIsClean { parseFailed = true }
            if let held { check(held, followedBy: s) }
            held = s
        }

        func check(_ s: Expr, followedBy next: Expr?) {
            guard !parseFailed else { return }
            if let next { walker.checkNotIdem(s, followedBy: next) }
            walker.check(s, context: .topLevel)
            if !walker.diagnostics.hasErrors { deliver(s) }
        }

        /// After a parse without errors: checks and hands on the last statement, then adds what
        /// was found (redefinitions only if nothing else was), as `validate` does.
        func finish(into diagnostics: inout DiagnosticList) {
            if let held { check(held, followedBy: nil) }
            held = nil
            let clean = !walker.diagnostics.hasErrors
            for d in walker.diagnostics.items { diagnostics.add(d) }
            if clean { for d in walker.redefinitions { diagnostics.add(d) } }
        }
    }

    /// "Attempt to redefine entity 'http://puppet.com/2016.1/runtime/type/foo'." (Puppet's loader).
    static func redefinedEntity(_ kind: String, _ lowercaseName: String) -> String {
        "Attempt to redefine entity 'http://puppet.com/2016.1/runtime/\(kind)/\(lowercaseName)'."
    }

    /// Type names Puppet 7 rejects for a type alias "set at unknown location": its resource
    /// types (lib/puppet/type/*.rb, and node) and the data types it defines as aliases itself.
    /// Checked against the oracle one name at a time (`type File = Integer` and so on).
    static let typesSetAtUnknownLocation: Set<String> = [
        "component", "exec", "file", "filebucket", "group", "node", "notify", "package", "resources", "schedule",
        "service", "stage", "tidy", "user", "whit", "data", "richdata", "deferred",
    ]

    /// A name no type alias can take (see checkAliasName).
    public static func isReservedTypeName(_ name: String) -> Bool {
        let key = name.lowercased()
        return typesSetAtUnknownLocation.contains(key) || staticLoaderTypes.contains(key)
    }

    /// Data types of Puppet's static type system, which a type alias may not rename either
    /// (`Error` and `Unit` are accepted: checked against the oracle).
    static let staticLoaderTypes: Set<String> = [
        "any", "array", "binary", "boolean", "callable", "catalogentry", "class", "collection", "default", "enum",
        "float", "hash", "init", "integer", "iterable", "iterator", "notundef", "numeric", "object", "optional",
        "pattern", "regexp", "resource", "runtime", "scalar", "scalardata", "semver", "semverrange", "sensitive",
        "string", "struct", "timespan", "timestamp", "tuple", "type", "typeset", "undef", "uri", "variant",
    ]

    /// How Puppet names a regex node: `__node_regexp__` and the pattern cleaned of special
    /// characters (also the name of the Node resource a regex node makes in a catalog).
    public static func regexNodeName(_ pattern: String) -> String {
        var cleaned = String(pattern.lowercased().filter { $0.isLetter || $0.isNumber || "_-:.".contains($0) })
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        return "__node_regexp__" + cleaned
    }

    /// Resource metaparameters, which class and define parameters may not shadow.
    static let metaparameters: Set<String> = [
        "alias", "audit", "before", "loglevel", "noop", "notify", "require", "schedule", "stage", "subscribe", "tag",
    ]

    enum Context { case topLevel, classBody, other }

    struct Walker {
        let file: SourceFile
        var diagnostics: DiagnosticList
        /// Where each class, define, function, type alias and node of this file is first
        /// defined ("kind:lowercase name" → offset), to report a second definition as Puppet's
        /// loader does.
        var definitions: [String: Int32] = [:]
        var redefinitions: [Diagnostic] = []

        /// The last statement of a class, define or node body must have an effect.
        mutating func checkLastNotIdem(_ body: Expr?, _ container: String) {
            guard let body else { return }
            let last: Expr
            if case let .block(statements) = body.kind, let l = statements.last { last = l } else { last = body }
            if Validator.isIdem(last) {
                error(at: position(of: last), "This \(label(last)) has no effect. \(container) can not end with a value-producing expression without other effect")
            }
        }

        /// A statement of a block that is not the last must have an effect.
        mutating func checkNotIdem(_ s: Expr, followedBy next: Expr) {
            guard Validator.isIdem(s) else { return }
            if case let .name(n) = s.kind, case .hash = next.kind {
                error(s, "This expression is invalid. Did you try declaring a '\(n)' resource without a title?")
            } else {
                error(at: position(of: s), "This \(label(s)) has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form)")
            }
        }

        /// Where Puppet places an expression in messages: binary expressions at their operator,
        /// method calls at their `.`, accesses where their receiver is.
        func position(of e: Expr) -> Int32 {
            switch e.kind {
            case let .binary(op, l, r):
                return offset(of: op.rawValue, from: l.range.end, to: r.range.start)
            case let .access(l, _):
                return position(of: l)
            case let .callMethod(f, _, _, _):
                return position(of: f)
            case let .namedAccess(l, r):
                return offset(of: ".", from: l.range.end, to: r.range.start)
            default:
                return e.range.start
            }
        }

        mutating func error(_ e: Expr, _ message: String) {
            diagnostics.add(Diagnostic(at: e.range.start, in: file, message))
        }

        mutating func error(at offset: Int32, _ message: String) {
            diagnostics.add(Diagnostic(at: offset, in: file, message))
        }

        /// Offset of `op` in the source between two offsets (for errors Puppet reports at an
        /// operator rather than at the start of the expression).
        func offset(of op: String, from start: Int32, to end: Int32) -> Int32 {
            let needle = Array(op.utf8)
            let b = file.bytes
            var i = Int(start)
            while i + needle.count <= min(Int(end), b.count) {
                if Array(b[i..<(i + needle.count)]) == needle { return Int32(i) }
                i += 1
            }
            return start
        }

        /// A second class, define, function or node of one name, in Puppet's words: classes and
        /// nodes name both places; defines and functions are entities "originally set" at the
        /// first. `key` tells names apart (lowercase `name` unless given).
        mutating func checkDuplicateDefinition(_ kind: String, _ name: String, at offset: Int32, key: String? = nil) {
            let key = key ?? name.lowercased()
            guard let first = definitions[kind + ":" + key] else {
                definitions[kind + ":" + key] = offset
                return
            }
            let message: String
            switch kind {
            case "Class", "Node": message = "\(kind) '\(name)' is already defined \(fileLine(first)); cannot redefine \(fileLine(offset))"
            case "Function": message = "\(Validator.redefinedEntity("function", key)) Originally set at \(uri(first))."
            default: message = "\(Validator.redefinedEntity("type", key)) Originally set at \(uri(first))."
            }
            redefinitions.append(Diagnostic(at: offset, in: file, message))
        }

        /// A type alias may not take the name of a type Puppet has built in, nor that of a define
        /// or type alias before it (a define after an alias of its name is accepted, as by Puppet).
        mutating func checkAliasName(_ name: String, at offset: Int32) {
            let key = name.lowercased()
            let message: String
            if Validator.typesSetAtUnknownLocation.contains(key) {
                message = "\(Validator.redefinedEntity("type", key)) Set at unknown location"
            } else if Validator.staticLoaderTypes.contains(key) {
                message = "\(Validator.redefinedEntity("type", key)) Originally set by Puppet-Type-System/Static-Loader."
            } else if let first = definitions["Alias:" + key] ?? definitions["Definition:" + key] {
                message = "\(Validator.redefinedEntity("type", key)) Originally set at \(uri(first))."
            } else {
                definitions["Alias:" + key] = offset
                return
            }
            redefinitions.append(Diagnostic(at: offset, in: file, message))
        }

        /// `(file: site.pp, line: 3)`, as Puppet places a definition in its messages.
        func fileLine(_ offset: Int32) -> String { "(file: \(file.path), line: \(file.location(of: offset).line))" }

        /// `file:///etc/puppet/site.pp?line=3&pos=6`, as Puppet's loader places an entity.
        func uri(_ offset: Int32) -> String {
            let at = file.location(of: offset)
            return "file://\(file.path)?line=\(at.line)&pos=\(at.column)"
        }

        mutating func check(_ e: Expr?, context: Context) {
            guard let e else { return }
            switch e.kind {
            case .string, .integer, .float, .boolean, .undef, .defaultLiteral, .regex, .name, .reference, .reservedWord, .nop:
                return  // nothing to check, no children (most attribute values)
            case let .block(statements):
                for (i, s) in statements.dropLast().enumerated() { checkNotIdem(s, followedBy: statements[i + 1]) }
                for s in statements { check(s, context: context) }
                return
            case let .classDefinition(name, _, params, body):
                if context == .other { notTopLevel(e) }
                checkDefinitionName(name, "Host Class Definition", e)
                checkLastNotIdem(body, "A Host Class Definition")
                checkParameters(params, owner: "Host Class Definition", definition: name, builtIn: ["title", "name"])
                checkDuplicateDefinition("Class", name, at: e.range.start)
                check(body, context: .classBody)
                return
            case let .defineDefinition(name, params, body):
                if context == .other { notTopLevel(e) }
                checkDefinitionName(name, "'define' expression", e)
                checkLastNotIdem(body, "A 'define' expression")
                checkParameters(params, owner: "'define' expression", definition: name, builtIn: ["title", "name"])
                checkDuplicateDefinition("Definition", name, at: e.range.start)
                check(body, context: .other)
                return
            case let .nodeDefinition(matches, parent, body):
                if context == .other { notTopLevel(e) }
                for m in matches { checkHostname(m) }
                checkLastNotIdem(body, "A Node Definition")
                for m in matches {
                    let key: String, shown: String
                    switch m.kind {
                    case let .string(s): (key, shown) = ("'" + s.lowercased(), s)
                    case let .regex(r): (key, shown) = ("/" + r, Validator.regexNodeName(r))
                    case .defaultLiteral: (key, shown) = (":default", "default")
                    default: continue
                    }
                    checkDuplicateDefinition("Node", shown, at: m.range.start, key: key)
                }
                if let parent {
                    error(parent, "Node inheritance is not supported in Puppet >= 4.0.0. See http://links.puppet.com/puppet-node-inheritance-deprecation")
                }
                check(body, context: .other)
                return
            case let .functionDefinition(name, params, _, body):
                if context != .topLevel { error(e, "A Function Definition may only appear at toplevel") }
                checkDefinitionName(name, "Function Definition", e)
                checkDuplicateDefinition("Function", name, at: e.range.start)
                checkParameters(params, owner: nil, definition: "", builtIn: [])
                check(body, context: .other)
                return
            case let .typeAlias(name, type):
                let at = offset(of: name, from: e.range.start + 4, to: e.range.end)
                if context != .topLevel { error(at: at, "A Type Alias may only appear at toplevel") }
                if !Validator.isTypeName(name) {
                    error(at: at, "Unacceptable name. The name '\(name)' is unacceptable as the name of a Type Alias")
                }
                checkAliasName(name, at: at)
                check(type, context: .other)
                return
            case let .variable(name):
                if !Validator.isValidVariableName(name) {
                    error(e, "Illegal variable name, The given name '\(name)' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/")
                }
            case let .lambda(params, _, _):
                checkParameters(params, owner: nil, definition: nil, builtIn: [])
            case let .assignment(op, target, value):
                if op != .assign {
                    error(at: offset(of: op.rawValue, from: target.range.end, to: value.range.start),
                          "The operator '\(op.rawValue)' is no longer supported. See http://links.puppet.com/remove-plus-equals")
                }
                checkAssignable(target)
                // A collector is no value to assign (Puppet's rvalue check).
                if case let .collect(_, query, _) = value.kind {
                    error(value, "Invalid use of expression. \(query.exported ? "An Exported Query" : "A Virtual Query") does not produce a value")
                }
            case let .resourceDefaults(form, _, _), let .resourceOverride(form, _, _):
                if form != .regular { error(e, "Resource Defaults are not virtualizable") }
            case let .resource(form, type, bodies):
                if form != .regular, case let .name(n) = type.kind, n == "class" {
                    error(e, "Classes are not virtualizable")
                }
                for body in bodies {
                    // (Counted, not filtered into a list: every resource body comes here.)
                    var splats = 0
                    for op in body.operations where op.isSplat {
                        splats += 1
                        if splats > 1 { error(at: op.range.start, "Unfolding of attributes from Hash can only be used once per resource body") }
                    }
                }
            default:
                break
            }
            e.forEachChild { check($0, context: .other) }
        }

        /// Definition names: `[a-z]\w*` segments joined by `::`.
        mutating func checkDefinitionName(_ name: String, _ what: String, _ e: Expr) {
            let ok = name.split(separator: ":", omittingEmptySubsequences: false).enumerated().allSatisfy { i, seg in
                if i % 2 == 1 { return seg.isEmpty }
                guard let f = seg.unicodeScalars.first, f >= "a" && f <= "z" else { return false }
                return seg.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
            }
            if !ok { error(e, "Unacceptable name. The name '\(name)' is unacceptable as the name of a \(what)") }
        }

        mutating func notTopLevel(_ e: Expr) {
            error(e, "Classes, definitions, and nodes may only appear at toplevel or inside other classes")
        }

        /// Duplicates, `*$rest` placement, and names Puppet reserves. `owner` names a class or
        /// define (where captures-rest and built-in names are not allowed).
        mutating func checkParameters(_ params: [Parameter], owner: String?, definition: String?, builtIn: Set<String>) {
            var seen = Set<String>()
            for (i, p) in params.enumerated() {
                if p.name.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    error(at: p.range.start, "The numeric parameter name '$\(p.name)' cannot be used (clashes with numeric match result variables)")
                } else if !Validator.isParameterName(p.name) {
                    error(at: p.range.start, "Illegal parameter name. The given name '\(p.name)' does not conform to the naming rule /^[a-z_]\\w*$/")
                }
                if let value = p.value { checkNoAssignment(value) }
                if !seen.insert(p.name).inserted {
                    error(at: p.range.start, "The parameter '\(p.name)' is declared more than once in the parameter list")
                }
                if p.capturesRest {
                    if owner == nil && definition == "" {
                        // Functions may take `*$rest` anywhere (Puppet 7 accepts it).
                    } else if let owner {
                        error(at: p.range.start, "Parameter $\(p.name) has 'captures rest' - not supported in a \(owner == "'define' expression" ? "Resource Type Definition" : owner)")
                    } else if i != params.count - 1 {
                        error(at: p.range.start, "Parameter $\(p.name) is not last, and has 'captures rest'")
                    }
                }
                if let owner, builtIn.contains(p.name) {
                    error(at: p.range.start, "The parameter $\(p.name) redefines a built in parameter in the \(owner)")
                }
                if let definition, !definition.isEmpty, Validator.metaparameters.contains(p.name) {
                    error(at: p.range.start, "\(p.name) is a metaparameter; please choose another parameter name in the \(definition) definition")
                }
                check(p.type, context: .other)
                check(p.value, context: .other)
            }
        }

        /// Default values are rvalues: an assignment anywhere in them is an error (at its `=`).
        mutating func checkNoAssignment(_ e: Expr) {
            if case let .assignment(op, l, r) = e.kind {
                error(at: offset(of: op.rawValue, from: l.range.end, to: r.range.start), "Assignment not allowed here")
                return
            }
            if case .lambda = e.kind { return }
            e.forEachChild { checkNoAssignment($0) }
        }

        /// Node names: letters, digits, `_`, `-` and `.` only (regexes and `default` aside).
        mutating func checkHostname(_ m: Expr) {
            guard case let .string(name) = m.kind else { return }
            let ok = !name.isEmpty && name.unicodeScalars.allSatisfy {
                ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "."
            }
            if !ok {
                error(m, "The hostname '\(name)' contains illegal characters (only letters, digits, '_', '-', and '.' are allowed)")
            }
        }

        mutating func checkAssignable(_ target: Expr) {
            switch target.kind {
            case let .variable(name):
                if let first = name.first, first.isNumber {
                    error(target, "Illegal attempt to assign to the numeric match result variable '$\(name)'. Numeric variables are not assignable")
                } else if name.contains("::") {
                    error(target, "Illegal attempt to assign to '\(name)'. Cannot assign to variables in other namespaces")
                }
            case let .list(items):
                for i in items { checkAssignable(i) }
            case .access:
                error(target, "Illegal attempt to assign via [index/key]. Not an assignable reference")
            default:
                error(at: position(of: target), "Illegal attempt to assign to '\(article(label(target)))'. Not an assignable reference")
            }
        }

        func article(_ s: String) -> String {
            let vowel = s.first.map { "AEIOUaeiou".contains($0) } ?? false
            return (vowel ? "an " : "a ") + s
        }
    }

    static func isParameterName(_ name: String) -> Bool {
        guard let f = name.unicodeScalars.first, (f >= "a" && f <= "z") || f == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
    }

    /// Type names: `[A-Z]\w*` segments joined by `::`.
    static func isTypeName(_ name: String) -> Bool {
        name.split(separator: ":", omittingEmptySubsequences: false).enumerated().allSatisfy { i, seg in
            if i % 2 == 1 { return seg.isEmpty }
            guard let f = seg.unicodeScalars.first, f >= "A" && f <= "Z" else { return false }
            return seg.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
        }
    }

    /// Puppet's rule for variable names: `/^((::)?[a-z]\w*)*((::)?[a-z_]\w*)$/`, or all digits
    /// (match results `$0`, `$1`, …).
    static func isValidVariableName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
        func isWordByte(_ c: UInt8) -> Bool { isLower(c) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 }
        if !bytes.isEmpty, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return true }
        var segments = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        // "::" splits into an empty piece between two colons; drop those (and a leading "::").
        segments = segments.enumerated().filter { !($0.element.isEmpty && ($0.offset == 0 || $0.offset % 2 == 1)) }.map(\.element)
        for (i, seg) in segments.enumerated() {
            guard let f = seg.first else { return false }
            if !(isLower(f) || (i == segments.count - 1 && f == 95)) { return false }
            if !seg.allSatisfy(isWordByte) { return false }
        }
        return !segments.isEmpty
    }

    /// Expressions with no side effect (Puppet's `idem`): their value is lost unless they come last.
    static func isIdem(_ e: Expr) -> Bool {
        switch e.kind {
        case .string, .integer, .float, .boolean, .undef, .defaultLiteral, .regex, .name, .reference,
             .variable, .concatenated, .list, .hash, .access, .binary, .not, .unaryMinus, .selector, .nop,
             .heredoc, .reservedWord, .unfold:
            return true
        case let .parenthesized(inner):
            return isIdem(inner)
        case let .ifExpr(test, then, elseExpr), let .unlessExpr(test, then, elseExpr):
            return isIdem(test) && (then.map(isIdem) ?? true) && (elseExpr.map(isIdem) ?? true)
        default:
            return false
        }
    }

    /// How Puppet names an expression kind in messages ("Literal Integer", "Name", ...).
    static func label(_ e: Expr) -> String {
        switch e.kind {
        case .string, .concatenated, .heredoc: return "String"
        case .integer: return "Literal Integer"
        case .float: return "Literal Float"
        case .boolean: return "Literal Boolean"
        case .undef: return "Literal Undef"
        case .defaultLiteral: return "Literal Default"
        case .regex: return "Literal Regular Expression"
        case .name: return "Name"
        case .reference: return "Type-Name"
        case .variable: return "Variable"
        case .list: return "Array Expression"
        case .hash: return "Hash Expression"
        case .access: return "'[]' expression"
        case let .binary(op, _, _):
            switch op {
            case .plus, .minus, .times, .divide, .modulo, .leftShift, .rightShift: return "'\(op.rawValue)' expression"
            case .and, .or: return "'\(op.rawValue)' expression"
            case .in: return "'in' expression"
            case .matches, .notMatches: return "Match Expression"
            default: return "Comparison Expression"
            }
        case .not: return "'!' expression"
        case .unfold: return "Unfold Expression"
        case .unaryMinus: return "Unary Minus"
        case .selector: return "Selector Expression"
        case .ifExpr: return "'if' statement"
        case .unlessExpr: return "'unless' Statement"
        case let .parenthesized(inner): return label(inner)
        default: return "Expression"
        }
    }
}

extension Expr {
    /// Direct sub-expressions, in source order (for walks that do not care about the kind).
    public var children: [Expr] {
        var out: [Expr] = []
        forEachChild { out.append($0) }
        return out
    }

    /// Calls `body` on each direct sub-expression, in source order, without allocating.
    public func forEachChild(_ body: (Expr) -> Void) {
        func opt(_ e: Expr?) { if let e { body(e) } }
        func params(_ ps: [Parameter]) { for p in ps { opt(p.type); opt(p.value) } }
        switch kind {
        case .string, .integer, .float, .boolean, .undef, .defaultLiteral, .regex, .name, .reference,
             .reservedWord, .variable, .nop:
            return
        case let .concatenated(s), let .list(s), let .block(s): s.forEach(body)
        case let .text(e), let .parenthesized(e), let .not(e), let .unaryMinus(e), let .unfold(e), let .heredoc(_, e), let .typeAlias(_, e):
            body(e)
        case let .hash(entries): for en in entries { body(en.key); body(en.value) }
        case let .access(l, keys): body(l); keys.forEach(body)
        case let .namedAccess(l, r), let .binary(_, l, r), let .assignment(_, l, r), let .relationship(_, l, r):
            body(l); body(r)
        case let .selector(l, entries): body(l); for en in entries { body(en.match); body(en.value) }
        case let .ifExpr(t, a, b), let .unlessExpr(t, a, b): body(t); opt(a); opt(b)
        case let .caseExpr(t, options): body(t); for o in options { o.values.forEach(body); opt(o.then) }
        case let .call(f, args, lambda, _), let .callMethod(f, args, lambda, _): body(f); args.forEach(body); opt(lambda)
        case let .lambda(ps, rt, b): params(ps); opt(rt); opt(b)
        case let .resource(_, type, bodies):
            body(type)
            for b in bodies { body(b.title); for op in b.operations { body(op.value) } }
        case let .resourceDefaults(_, type, ops): body(type); for op in ops { body(op.value) }
        case let .resourceOverride(_, r, ops): body(r); for op in ops { body(op.value) }
        case let .collect(type, q, ops): body(type); opt(q.expr); for op in ops { body(op.value) }
        case let .classDefinition(_, _, ps, b), let .defineDefinition(_, ps, b): params(ps); opt(b)
        case let .nodeDefinition(m, parent, b): m.forEach(body); opt(parent); opt(b)
        case let .functionDefinition(_, ps, rt, b): params(ps); opt(rt); opt(b)
        }
    }
}
