/// The checks `puppet parser validate` makes after a successful parse (a subset of Puppet's
/// Checker4_0): expressions whose value is thrown away, definitions in places where they cannot
/// be, assignments to things that are not variables.
enum Validator {
    static func validate(_ body: Expr, file: SourceFile, into diagnostics: inout DiagnosticList) {
        var v = Walker(file: file, diagnostics: diagnostics)
        v.check(body, context: .topLevel)
        diagnostics = v.diagnostics
    }

    enum Context { case topLevel, classBody, other }

    struct Walker {
        let file: SourceFile
        var diagnostics: DiagnosticList

        mutating func error(_ e: Expr, _ message: String) {
            diagnostics.add(Diagnostic(at: e.range.start, in: file, message))
        }

        mutating func check(_ e: Expr?, context: Context) {
            guard let e else { return }
            switch e.kind {
            case let .block(statements):
                for s in statements.dropLast() where isIdem(s) {
                    error(s, "This \(label(s)) has no effect. A value was produced and then forgotten (one or more preceding expressions may have the wrong form)")
                }
                for s in statements { check(s, context: context) }
                return
            case let .classDefinition(_, _, params, body):
                if context == .other { notTopLevel(e) }
                checkParameters(params)
                check(body, context: .classBody)
                return
            case let .defineDefinition(_, params, body):
                if context == .other { notTopLevel(e) }
                checkParameters(params)
                check(body, context: .other)
                return
            case let .nodeDefinition(_, body):
                if context != .topLevel { notTopLevel(e) }
                check(body, context: .other)
                return
            case let .functionDefinition(_, params, _, body):
                if context != .topLevel { error(e, "Function definitions may only appear at toplevel") }
                checkParameters(params)
                check(body, context: .other)
                return
            case let .typeAlias(_, type):
                if context != .topLevel { error(e, "Type aliases may only appear at toplevel") }
                check(type, context: .other)
                return
            case let .assignment(_, target, _):
                checkAssignable(target)
            default:
                break
            }
            for c in e.children { check(c, context: .other) }
        }

        mutating func notTopLevel(_ e: Expr) {
            error(e, "Classes, definitions, and nodes may only appear at toplevel or inside other classes")
        }

        mutating func checkParameters(_ params: [Parameter]) {
            var seen = Set<String>()
            for p in params {
                if !seen.insert(p.name).inserted {
                    diagnostics.add(Diagnostic(at: p.range.start, in: file, "The parameter '\(p.name)' is declared more than once in the parameter list"))
                }
                check(p.value, context: .other)
            }
        }

        mutating func checkAssignable(_ target: Expr) {
            switch target.kind {
            case let .variable(name):
                if let first = name.first, first.isNumber {
                    error(target, "Illegal attempt to assign to the numeric match result variable '$\(name)'. Numeric variables are not assignable")
                } else if name.contains("::") {
                    error(target, "Illegal attempt to assign to '$\(name)'. Cannot assign to variables in other namespaces")
                }
            case let .list(items):
                for i in items { checkAssignable(i) }
            default:
                error(target, "Illegal attempt to assign to '\(article(label(target)))'. Not an assignable reference")
            }
        }

        func article(_ s: String) -> String {
            let vowel = s.first.map { "AEIOUaeiou".contains($0) } ?? false
            return (vowel ? "an " : "a ") + s
        }
    }

    /// Expressions with no side effect (Puppet's `idem`): their value is lost unless they come last.
    static func isIdem(_ e: Expr) -> Bool {
        switch e.kind {
        case .string, .integer, .float, .boolean, .undef, .defaultLiteral, .regex, .name, .reference,
             .variable, .concatenated, .list, .hash, .access, .binary, .not, .unaryMinus, .selector, .nop,
             .heredoc, .reservedWord:
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
        case .access: return "Access Expression"
        case let .binary(op, _, _):
            switch op {
            case .plus, .minus, .times, .divide, .modulo, .leftShift, .rightShift: return "'\(op.rawValue)' expression"
            case .and, .or: return "'\(op.rawValue)' expression"
            case .in: return "'in' expression"
            case .matches, .notMatches: return "Match Expression"
            default: return "Comparison Expression"
            }
        case .not: return "'!' expression"
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
        switch kind {
        case .string, .integer, .float, .boolean, .undef, .defaultLiteral, .regex, .name, .reference,
             .reservedWord, .variable, .nop:
            return []
        case let .concatenated(s): return s
        case let .text(e), let .parenthesized(e), let .not(e), let .unaryMinus(e), let .unfold(e): return [e]
        case let .heredoc(_, t): return [t]
        case let .list(items): return items
        case let .hash(entries): return entries.flatMap { [$0.key, $0.value] }
        case let .access(l, keys): return [l] + keys
        case let .namedAccess(l, r): return [l, r]
        case let .binary(_, l, r), let .assignment(_, l, r), let .relationship(_, l, r): return [l, r]
        case let .selector(l, entries): return [l] + entries.flatMap { [$0.match, $0.value] }
        case let .ifExpr(t, a, b), let .unlessExpr(t, a, b): return [t] + [a, b].compactMap { $0 }
        case let .caseExpr(t, options): return [t] + options.flatMap { $0.values + [$0.then].compactMap { $0 } }
        case let .block(s): return s
        case let .call(f, args, lambda, _), let .callMethod(f, args, lambda, _): return [f] + args + [lambda].compactMap { $0 }
        case let .lambda(params, rt, body): return params.flatMap { [$0.type, $0.value].compactMap { $0 } } + [rt, body].compactMap { $0 }
        case let .resource(_, type, bodies): return [type] + bodies.flatMap { [$0.title] + $0.operations.map(\.value) }
        case let .resourceDefaults(_, type, ops): return [type] + ops.map(\.value)
        case let .resourceOverride(_, r, ops): return [r] + ops.map(\.value)
        case let .collect(type, q, ops): return [type] + [q.expr].compactMap { $0 } + ops.map(\.value)
        case let .classDefinition(_, _, params, body), let .defineDefinition(_, params, body):
            return params.flatMap { [$0.type, $0.value].compactMap { $0 } } + [body].compactMap { $0 }
        case let .nodeDefinition(m, body): return m + [body].compactMap { $0 }
        case let .functionDefinition(_, params, rt, body):
            return params.flatMap { [$0.type, $0.value].compactMap { $0 } } + [rt, body].compactMap { $0 }
        case let .typeAlias(_, t): return [t]
        }
    }
}
