/// Prints an AST as the S-expression of Puppet's model tree dumper
/// (lib/puppet/pops/model/model_tree_dumper.rb), so that the expectations in Puppet's parser spec
/// tests can be used as our tests unchanged, e.g. `$a = 1 + 2` → `(= $a (+ 1 2))`.
public enum Dumper {
    public static func dump(_ program: Program) -> String {
        guard let body = program.body else { return ":nop" }
        return dump(body)
    }

    public static func dump(_ e: Expr) -> String {
        var f = Formatter()
        f.format(item(e))
        return f.out
    }

    /// The dumper's intermediate form: nested lists of atoms with layout markers.
    indirect enum Item {
        case atom(String)
        case list([Item])
        case indent, dedent, brk
    }

    static func item(_ e: Expr?) -> Item {
        guard let e else { return .atom("()") }
        switch e.kind {
        case let .string(s): return .atom("'\(s)'")
        case let .integer(v, radix):
            switch radix {
            case 8: return .atom("0" + String(v, radix: 8))
            case 16: return .atom("0x" + String(v, radix: 16, uppercase: true))
            default: return .atom(String(v))
            }
        case let .float(v): return .atom(rubyFloat(v))
        case let .boolean(v): return .atom(v ? "true" : "false")
        case .undef: return .atom(":undef")
        case .defaultLiteral: return .atom(":default")
        case let .regex(r): return .atom("/\(r)/")
        case let .name(n): return .atom(n)
        case let .reference(r): return .atom(r)
        case let .reservedWord(w): return .list([.atom("reserved"), .atom(w)])
        case let .variable(v): return .atom("$" + v)
        case let .concatenated(segments):
            // Puppet's factory drops the empty text between adjacent interpolations.
            return .list([.atom("cat")] + segments.filter { if case .string("") = $0.kind { return false }; return true }.map(item))
        case let .text(inner): return .list([.atom("str"), item(inner)])
        case let .heredoc(syntax, text):
            return .list([.atom("@(\(syntax))"), .indent, .brk, item(text), .dedent, .brk])
        case let .list(items): return .list([.atom("[]")] + items.map(item))
        case let .hash(entries): return .list([.atom("{}")] + entries.map { .list([item($0.key), item($0.value)]) })
        case let .parenthesized(inner): return item(inner)
        case let .access(left, keys):
            if keys.count <= 1 { return .list([.atom("slice"), item(left), item(keys.first)]) }
            return .list([.atom("slice"), item(left), .list(keys.map(item))])
        case let .namedAccess(left, right): return .list([.atom("."), item(left), item(right)])
        case let .binary(op, l, r):
            let name: String
            switch op {
            case .and: name = "&&"
            case .or: name = "||"
            default: name = op.rawValue
            }
            return .list([.atom(name), item(l), item(r)])
        case let .not(inner): return .list([.atom("!"), item(inner)])
        case let .unaryMinus(inner): return .list([.atom("-"), item(inner)])
        case let .unfold(inner): return .list([.atom("unfold"), item(inner)])
        case let .assignment(op, l, r): return .list([.atom(op.rawValue), item(l), item(r)])
        case let .relationship(op, l, r): return .list([.atom(op.rawValue), item(l), item(r)])
        case let .selector(left, entries):
            return .list([.atom("?"), item(left)] + entries.map { .list([item($0.match), .atom("=>"), item($0.value)]) })
        case let .ifExpr(test, then, elseExpr): return conditional("if", test, then, elseExpr)
        case let .unlessExpr(test, then, elseExpr): return conditional("unless", test, then, elseExpr)
        case let .caseExpr(test, options):
            var r: [Item] = [.atom("case"), item(test), .indent]
            for o in options {
                r += [.brk, .list([.atom("when"), .list(o.values.map(item)), .list([.atom("then"), item(o.then)])])]
            }
            r.append(.dedent)
            return .list(r)
        case let .block(statements):
            var r: [Item] = [.atom("block"), .indent]
            for s in statements { r += [.brk, item(s)] }
            r += [.dedent, .brk]
            return .list(r)
        case .nop: return .atom(":nop")
        case let .call(functor, args, lambda, statement):
            var r: [Item] = [.atom(statement ? "invoke" : "call"), item(functor)]
            r += args.map(item)
            if let lambda { r.append(item(lambda)) }
            return .list(r)
        case let .callMethod(functor, args, lambda, statement):
            var r: [Item] = [.atom(statement ? "invoke-method" : "call-method"), item(functor)]
            r += args.map(item)
            if let lambda { r.append(item(lambda)) }
            return .list(r)
        case let .lambda(parameters, returnType, body):
            var r: [Item] = [.atom("lambda")]
            if !parameters.isEmpty { r.append(.list([.atom("parameters")] + parameters.map(parameter))) }
            if let returnType { r.append(.list([.atom("return_type"), item(returnType)])) }
            r.append(body.map(item) ?? .list([]))
            return .list(r)
        case let .resource(form, type, bodies):
            var r: [Item] = [.atom(prefix(form) + "resource"), item(type), .indent]
            for b in bodies {
                var bi: [Item] = [item(b.title), .indent]
                for op in b.operations { bi += [.brk, operation(op)] }
                bi.append(.dedent)
                r += [.brk, .list(bi)]
            }
            r.append(.dedent)
            return .list(r)
        case let .resourceDefaults(form, type, operations):
            var r: [Item] = [.atom(prefix(form) + "resource-defaults"), item(type), .indent]
            for op in operations { r += [.brk, operation(op)] }
            r.append(.dedent)
            return .list(r)
        case let .resourceOverride(form, resources, operations):
            var r: [Item] = [.atom(prefix(form) + "override"), item(resources), .indent]
            for op in operations { r += [.brk, operation(op)] }
            r.append(.dedent)
            return .list(r)
        case let .collect(type, query, operations):
            var q: [Item] = [.atom(query.exported ? "<<| |>>" : "<| |>")]
            if let qe = query.expr { q.append(item(qe)) }
            // Puppet's dumper never prints a collector's override block (it calls `operations`
            // with a block that is never run), so neither do we.
            _ = operations
            let r: [Item] = [.atom("collect"), item(type), .indent, .brk, .list(q), .indent, .dedent, .dedent]
            return .list(r)
        case let .classDefinition(name, parent, parameters, body):
            var r: [Item] = [.atom("class"), .atom(name)]
            if let parent { r.append(.list([.atom("inherits"), .atom(parent)])) }
            if !parameters.isEmpty { r.append(.list([.atom("parameters")] + parameters.map(parameter))) }
            r.append(body.map(item) ?? .list([]))
            return .list(r)
        case let .defineDefinition(name, parameters, body):
            var r: [Item] = [.atom("define"), .atom(name)]
            if !parameters.isEmpty { r.append(.list([.atom("parameters")] + parameters.map(parameter))) }
            r.append(body.map(item) ?? .list([]))
            return .list(r)
        case let .nodeDefinition(matches, parent, body):
            var r: [Item] = [.atom("node"), .list([.atom("matches")] + matches.map(item))]
            if let parent { r.append(.list([.atom("parent"), item(parent)])) }
            r.append(body.map(item) ?? .list([]))
            return .list(r)
        case let .functionDefinition(name, parameters, returnType, body):
            var r: [Item] = [.atom("function"), .atom(name)]
            if !parameters.isEmpty { r.append(.list([.atom("parameters")] + parameters.map(parameter))) }
            if let returnType { r.append(.list([.atom("return_type"), item(returnType)])) }
            r.append(body.map(item) ?? .list([]))
            return .list(r)
        case let .typeAlias(name, type):
            return .list([.atom("type-alias"), .atom(name), item(type)])
        }
    }

    static func prefix(_ form: ResourceForm) -> String {
        form == .regular ? "" : form.rawValue + "-"
    }

    static func conditional(_ word: String, _ test: Expr, _ then: Expr?, _ elseExpr: Expr?) -> Item {
        var r: [Item] = [.atom(word), item(test), .indent, .brk, .list([.atom("then"), .indent, item(then), .dedent])]
        if let elseExpr, !isNop(elseExpr) {
            r += [.brk, .list([.atom("else"), .indent, item(elseExpr), .dedent]), .dedent]
        }
        return .list(r)
    }

    static func isNop(_ e: Expr) -> Bool {
        if case .nop = e.kind { return true }
        return false
    }

    static func operation(_ op: AttributeOperation) -> Item {
        if op.isSplat { return .list([.atom("* =>"), item(op.value)]) }
        return .list([.atom(op.name), .atom(op.op.rawValue), item(op.value)])
    }

    static func parameter(_ p: Parameter) -> Item {
        let name = (p.capturesRest ? "*" : "") + p.name
        switch (p.type, p.value) {
        case let (t?, v?): return .list([.atom("=t"), item(t), .atom(name), item(v)])
        case let (nil, v?): return .list([.atom("="), .atom(name), item(v)])
        case let (t?, nil): return .list([.atom("t"), item(t), .atom(name)])
        case (nil, nil): return .atom(name)
        }
    }

    /// Ruby's Float#to_s (what Puppet's dumper prints): the shortest digits that round-trip, in
    /// fixed notation when the decimal exponent is in -3...15 (`2.0`, `0.0001`), otherwise as
    /// `1.0e+16` / `1.0e-05`.
    public static func rubyFloat(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v < 0 ? "-Infinity" : "Infinity") }
        if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also gives the shortest round-trip digits; take them apart.
        var text = "\(abs(v))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0]), fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var decpt = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decpt -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = v < 0 ? "-" : ""
        if decpt > -4 && decpt <= 15 {
            if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
            if digits.count <= decpt { return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0" }
            let i = digits.index(digits.startIndex, offsetBy: decpt)
            return sign + digits[..<i] + "." + digits[i...]
        }
        let mantissa = digits.count == 1 ? digits + ".0" : String(digits.first!) + "." + digits.dropFirst()
        let e = decpt - 1
        let mag = abs(e)
        return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (mag < 10 ? "0" : "") + String(mag)
    }

    /// Puppet's TreeDumper#format: parts joined by a space, except before `)`, after `(` or
    /// whitespace, and before text that starts with whitespace (line breaks).
    struct Formatter {
        var out = ""
        var indent = 0
        var previous = ""

        mutating func format(_ item: Item) {
            var parts: [String] = []
            flatten(item, into: &parts)
            for (i, part) in parts.enumerated() {
                if i > 0, part != ")", !Formatter.someLineEndsOpen(parts[i - 1]), !Formatter.someLineStartsBlank(part) {
                    out.append(" ")
                }
                out.append(part)
            }
        }

        // Puppet tests its parts with Ruby's /.*(?:\s+|\()$/ and /^\s+/, where ^ and $ match at
        // every line, so a multi-line string part behaves by any of its lines.

        /// Some line of `s` ends with a blank or `(`.
        static func someLineEndsOpen(_ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            for i in u.indices where i + 1 == u.count || u[i + 1] == "\n" {
                if u[i] == "(" || u[i].properties.isWhitespace { return true }
            }
            return false
        }

        /// Some line of `s` starts with a blank.
        static func someLineStartsBlank(_ s: String) -> Bool {
            let u = Array(s.unicodeScalars)
            for i in u.indices where i == 0 || u[i - 1] == "\n" {
                if u[i].properties.isWhitespace { return true }
            }
            return false
        }

        mutating func flatten(_ item: Item, into parts: inout [String]) {
            switch item {
            case .brk: parts.append("\n" + String(repeating: "  ", count: max(0, indent)))
            case .indent: indent += 1
            case .dedent: indent -= 1
            case let .atom(s): parts.append(s)
            case let .list(items):
                parts.append("(")
                for i in items { flatten(i, into: &parts) }
                parts.append(")")
            }
        }
    }
}
