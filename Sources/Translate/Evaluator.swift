import Graph
import PuppetParser

/// Expression evaluation (Puppet 7's evaluator semantics for values and operators).
extension Compiler {
    func evaluate(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case let .string(s): return .string(s)
        case let .integer(i, _): return .integer(i)
        case let .float(f): return .float(f)
        case let .boolean(b): return .boolean(b)
        case .undef: return .undef
        case .defaultLiteral: return .defaultValue
        case let .regex(r): return .regex(r)
        case let .name(n): return .string(n)
        case let .reservedWord(w): return .string(w)
        case let .reference(r):
            if let known = builtinTypeReferences[r] { return known }
            let t = typeFor(name: r)
            // (`Resource[...]` names its type in its parameters.)
            if t.isResourceType, typeAliases[t.name] == nil, t.name != "Resource" {
                let name = Compiler.normalize(t.name)
                guard try isResourceType(name) else { throw error("Evaluation Error: Resource type not found: \(r)", e) }
                if ResourceTypes.builtin[name] != nil { builtinTypeReferences[r] = .type(t) }
            }
            return .type(t)
        case let .variable(name): return try lookupVariable(name, scope, e)
        case let .concatenated(segments):
            var s = ""
            for seg in segments { s += try evaluate(seg, scope).interpolated }
            return .string(s)
        case let .text(inner):
            return .string(try evaluate(inner, scope).interpolated)
        case let .heredoc(syntax, text):
            let v = try evaluate(text, scope)
            if !syntax.isEmpty, case let .string(produced) = v { try checkHeredocSyntax(syntax, produced, e) }
            return v
        case let .parenthesized(inner): return try evaluate(inner, scope)
        case let .list(items):
            return .array(try evaluateUnfolding(items, scope))
        case let .hash(entries):
            var h = OrderedHash()
            for en in entries { h[try evaluate(en.key, scope)] = try evaluate(en.value, scope) }
            return .hash(h)
        case let .access(left, keys):
            let l = try evaluate(left, scope)
            // `File['/x']`, the most common access (every relationship names one): what
            // `parameterize` makes of a resource type and one title, without its lists.
            if keys.count == 1, case let .string(title) = keys[0].kind, case .reference = left.kind, case let .type(t) = l,
               t.parameters.isEmpty, !sameName(t.name, "Resource"), !sameName(t.name, "Class"), t.isResourceType {
                return .type(PType(t.name, [.string(title)]))
            }
            var ks: [Value] = []
            for k in keys { ks.append(try evaluate(k, scope)) }
            return try access(l, ks, e)
        case let .binary(op, l, r): return try binary(op, l, r, scope, e)
        case let .not(inner): return .boolean(!(try evaluate(inner, scope).isTruthy))
        case let .unaryMinus(inner):
            switch try evaluate(inner, scope) {
            case let v where v.negated != nil: return v.negated!
            case let .string(s):
                if let n = Compiler.parseNumber(s) { return n.negated! }
                throw error("Evaluation Error: The value '\(s)' cannot be converted to Numeric.", e)
            case let v: throw error("Operator '-' is not applicable to \(articled(v.typeName))", e)
            }
        case let .unfold(inner):
            return .array(unfolded(try evaluate(inner, scope)))
        case let .assignment(op, target, value):
            guard op == .assign else { throw error("The operator '\(op.rawValue)' is no longer supported", e) }
            let v = try evaluate(value, scope)
            try assign(target, v, scope)
            return v
        case let .relationship(op, l, r): return try relationship(op, l, r, scope, e)
        case let .selector(left, entries): return try selector(left, entries, scope, e)
        case let .ifExpr(test, then, elseExpr):
            // Match variables set by the test live for this statement only.
            matchStack.append(nil)
            defer { matchStack.removeLast() }
            return try conditional(try evaluate(test, scope).isTruthy, then, elseExpr, scope)
        case let .unlessExpr(test, then, elseExpr):
            matchStack.append(nil)
            defer { matchStack.removeLast() }
            return try conditional(!(try evaluate(test, scope).isTruthy), then, elseExpr, scope)
        case let .caseExpr(test, options): return try caseExpression(test, options, scope, e)
        case let .block(statements):
            var last: Value = .undef
            for s in statements { last = try evaluateStatement(s, scope) }
            return last
        case .nop: return .undef
        case let .call(functor, args, lambda, _):
            let name: String
            switch functor.kind {
            case let .name(n): name = n
            case let .reference(r): name = r
            case .access:
                // `Integer[0, 10]('5')`: a type called to create a value.
                guard case let .type(t) = try evaluate(functor, scope) else { throw error("Not a callable type", functor) }
                return try newValue(t, try args.map { try evaluate($0, scope) }, e)
            default: throw error("Unsupported function call", functor)
            }
            return try callFunction(name, args, lambda, scope, e)
        case let .callMethod(functor, args, lambda, _):
            guard case let .namedAccess(receiver, member) = functor.kind, case let .name(name) = member.kind else {
                throw error("Unsupported method call", functor)
            }
            return try callFunction(name, [receiver] + args, lambda, scope, e)
        case .namedAccess: throw error("Unsupported expression", e)
        case .lambda: throw error("A lambda can only be given to a function call", e)
        case .resource: return try evaluateResource(e, scope)
        case .resourceDefaults: return try evaluateDefaults(e, scope)
        case .resourceOverride: return try evaluateOverride(e, scope)
        case .collect: return try evaluateCollector(e, scope)
        case .classDefinition, .defineDefinition, .functionDefinition, .typeAlias, .nodeDefinition:
            return .undef
        }
    }

    /// The operand of `*x`, also inside parentheses (`(*x)` spreads too).
    static func unfoldOperand(_ e: Expr) -> Expr? {
        switch e.kind {
        case let .unfold(inner): return inner
        case let .parenthesized(inner): return unfoldOperand(inner)
        default: return nil
        }
    }

    /// `*x`: arrays spread, hashes become [key, value] pairs, undef is nothing, else `[x]`.
    /// The values of a list of expressions, where a splatted `*x` contributes its elements (array
    /// literals and function arguments alike).
    func evaluateUnfolding(_ items: [Expr], _ scope: Scope) throws -> [Value] {
        var out: [Value] = []
        for item in items {
            if let inner = Compiler.unfoldOperand(item) {
                out += unfolded(try evaluate(inner, scope))
            } else {
                out.append(try evaluate(item, scope))
            }
        }
        return out
    }

    func unfolded(_ v: Value) -> [Value] {
        switch v {
        case let .array(a): return a
        case let .hash(h): return h.pairs.map { .array([$0.key, $0.value]) }
        case .undef: return []
        default: return [v]
        }
    }

    func articled(_ s: String) -> String {
        let vowel = s.first.map { "AEIOUaeiou".contains($0) } ?? false
        return (vowel ? "an " : "a ") + s
    }

    /// `File`, `Integer`, `Apache::Vhost` as a type value (data type names keep their case).
    func typeFor(name: String) -> PType {
        let n = name.hasPrefix("::") ? String(name.dropFirst(2)) : name
        if let known = PType.dataTypeByLowercase[n.lowercased()] { return PType(known) }
        if typeAliases[n] != nil { return PType(n) }
        if mayBeLaterAlias(n), (try? registerRestOfMainManifest()) == true, typeAliases[n] != nil { return PType(n) }
        if n.containsDoubleColon, (try? loader.loadTypeAlias(n, into: self)) == true, typeAliases[n] != nil { return PType(n) }
        return PType(Naming.typeName(n))
    }

    // MARK: - Variables

    func lookupVariable(_ name: String, _ scope: Scope, _ e: Expr) throws -> Value {
        if let digit = Int(name) {
            for frame in matchStack.reversed() {
                if let m = frame { return digit < m.count ? m[digit] : .undef }
            }
            return .undef
        }
        var n = name
        if n.hasPrefix("::") {
            n.removeFirst(2)
            if !n.containsDoubleColon { return try topScope.variables[n] ?? unknownVariable(name, e) }
        }
        if let sep = n.range(of: "::", options: .backwards) {
            let className = Compiler.normalize(String(n[..<sep.lowerBound]))
            let variable = String(n[sep.upperBound...])
            if classScopes[className] == nil { _ = try findClass(className) }
            guard let classScope = classScopes[className] else {
                warn("Could not look up qualified variable '$\(name)'; class \(className) has not been evaluated", e)
                if options.strict { throw error("Evaluation Error: Unknown variable: '$\(name)'.", e) }
                return .undef
            }
            // Found in the class or a class it inherits from.
            var s: Scope? = classScope
            while let cur = s, case .hostClass = cur.kind {
                if let v = cur.variables[variable] { return v }
                s = cur.parent
            }
            return try unknownVariable(name, e)
        }
        if let v = scope.lookup(n) { return v }
        return try unknownVariable(name, e)
    }

    func unknownVariable(_ name: String, _ e: Expr) throws -> Value {
        if options.strict { throw error("Evaluation Error: Unknown variable: '$\(name)'.", e) }
        return .undef
    }

    func assign(_ target: Expr, _ v: Value, _ scope: Scope) throws {
        switch target.kind {
        case let .variable(name):
            if scope.isLocallySet(name) {
                // Puppet's wording for its two reserved parameter names.
                let what = name == "name" || name == "title" ? "built in (or already assigned) variable" : "variable"
                throw error("Evaluation Error: Cannot reassign \(what) '$\(name)'", target)
            }
            scope.variables[name] = v
        case let .list(targets):
            switch v {
            case let .array(values):
                guard values.count == targets.count else {
                    throw error("Evaluation Error: Mismatched number of variables and values in multi-assignment", target)
                }
                for (t, x) in zip(targets, values) { try assign(t, x, scope) }
            case let .hash(h):
                for t in targets {
                    guard case let .variable(name) = t.kind else { throw error("Illegal assignment", t) }
                    guard let x = h[.string(name)] else { throw error("Evaluation Error: No value for required key '\(name)' in assignment to variables from hash", t) }
                    try assign(t, x, scope)
                }
            default:
                guard targets.count == 1 else {
                    throw error("Evaluation Error: Can only assign an Array or a Hash to an array of variables", target)
                }
                try assign(targets[0], v, scope)
            }
        default:
            throw error("Illegal attempt to assign to this expression", target)
        }
    }

    // MARK: - Conditionals

    func conditional(_ test: Bool, _ then: Expr?, _ elseExpr: Expr?, _ scope: Scope) throws -> Value {
        if test, let then { return try evaluateStatementsValue(then, scope) }
        if !test, let elseExpr { return try evaluateStatementsValue(elseExpr, scope) }
        return .undef
    }

    func evaluateStatementsValue(_ e: Expr, _ scope: Scope) throws -> Value {
        if case let .block(statements) = e.kind {
            var last: Value = .undef
            for s in statements { last = try evaluateStatement(s, scope) }
            return last
        }
        return try evaluateStatement(e, scope)
    }

    func caseExpression(_ test: Expr, _ options: [CaseOption], _ scope: Scope, _ e: Expr) throws -> Value {
        let v = try evaluate(test, scope)
        var defaultOption: CaseOption?
        for o in options {
            for valueExpr in o.values {
                if case .defaultLiteral = valueExpr.kind { defaultOption = o; continue }
                let candidate = try evaluate(valueExpr, scope)
                let (ok, captures) = try caseMatches(v, candidate)
                if ok {
                    matchStack.append(captures)
                    defer { matchStack.removeLast() }
                    return try o.then.map { try evaluateStatementsValue($0, scope) } ?? .undef
                }
            }
        }
        if let d = defaultOption {
            return try d.then.map { try evaluateStatementsValue($0, scope) } ?? .undef
        }
        return .undef
    }

    /// Case and selector matching: regexes match strings (their groups become `$0..$n`),
    /// types test instances, an array option matches element-wise when the test is an array
    /// (else any element), anything else `==`.
    func caseMatches(_ v: Value, _ candidate: Value) throws -> (Bool, [Value]?) {
        switch candidate {
        case let .regex(r):
            guard case let .string(s) = v, let m = try PRegex(r).firstMatch(in: s) else { return (false, nil) }
            return (true, m.map { $0.map(Value.string) ?? .undef })
        case let .type(t):
            return (try isInstance(v, of: t), nil)
        case let .array(items):
            if case let .array(values) = v, values.count == items.count {
                for (x, y) in zip(values, items) where !(try caseMatches(x, y).0) { return (false, nil) }
                return (true, nil)
            }
            for item in items {
                let r = try caseMatches(v, item)
                if r.0 { return r }
            }
            return (false, nil)
        case .defaultValue:
            return (true, nil)
        case let .hash(pattern):
            // A hash option matches when each of its keys is in the value and matches there.
            guard case let .hash(h) = v else { return (false, nil) }
            for (k, p) in pattern.pairs {
                guard let x = h[k], try caseMatches(x, p).0 else { return (false, nil) }
            }
            return (true, nil)
        default:
            return (puppetEquals(v, candidate), nil)
        }
    }

    func selector(_ left: Expr, _ entries: [SelectorEntry], _ scope: Scope, _ e: Expr) throws -> Value {
        let v = try evaluate(left, scope)
        var defaultEntry: SelectorEntry?
        for en in entries {
            if case .defaultLiteral = en.match.kind { defaultEntry = en; continue }
            let candidate = try evaluate(en.match, scope)
            let (ok, captures) = try caseMatches(v, candidate)
            if ok {
                matchStack.append(captures)
                defer { matchStack.removeLast() }
                return try evaluate(en.value, scope)
            }
        }
        if let d = defaultEntry { return try evaluate(d.value, scope) }
        throw error("Evaluation Error: No matching entry for selector parameter with value '\(v.interpolated)'", e)
    }

    // MARK: - Operators

    /// Puppet's string-to-number coercion: decimal, `0x` hex, leading-zero octal integers,
    /// decimal floats (`012.3` is 12.3); anything else (blanks included) is not a number.
    static func parseNumber(_ s: String) -> Value? {
        var t = Substring(s)
        var negative = false
        if t.hasPrefix("-") { negative = true; t = t.dropFirst() } else if t.hasPrefix("+") { t = t.dropFirst() }
        if negative || s.hasPrefix("+") { t = t.drop { $0 == " " || $0 == "\t" } }
        guard let first = t.first, first.isNumber else { return nil }
        func sign(_ v: Value) -> Value { negative ? v.negated! : v }
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return Int(t.dropFirst(2), radix: 16).map { sign(.integer($0)) } }
        if t.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if t.count > 1, t.hasPrefix("0") { return Int(t.dropFirst(), radix: 8).map { sign(.integer($0)) } }
            return Int(t).map { sign(.integer($0)) }
        }
        guard t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "-" || $0 == "+") }),
              t.contains(".") || t.contains("e") || t.contains("E"), let f = Double(t) else { return nil }
        return sign(.float(f))
    }

    func toNumber(_ v: Value, _ op: String, _ e: Expr) throws -> Value {
        switch v {
        case .integer, .float: return v
        case let .string(s):
            if let n = Compiler.parseNumber(s) { return n }
            throw error("Evaluation Error: The value '\(s)' cannot be converted to Numeric.", e)
        default:
            throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(v.typeName)).", e)
        }
    }

    func binary(_ op: BinaryOperator, _ le: Expr, _ re: Expr, _ scope: Scope, _ e: Expr) throws -> Value {
        switch op {
        case .and:
            guard try evaluate(le, scope).isTruthy else { return .boolean(false) }
            return .boolean(try evaluate(re, scope).isTruthy)
        case .or:
            if try evaluate(le, scope).isTruthy { return .boolean(true) }
            return .boolean(try evaluate(re, scope).isTruthy)
        default: break
        }
        let l = try evaluate(le, scope)
        let r = try evaluate(re, scope)
        switch op {
        case .equal: return .boolean(puppetEquals(l, r))
        case .notEqual: return .boolean(!puppetEquals(l, r))
        case .matches, .notMatches:
            let m = try match(l, r, e)
            return .boolean(op == .matches ? m : !m)
        case .in: return .boolean(try isIn(l, r, e))
        case .less, .lessEqual, .greater, .greaterEqual:
            let c = try compare(l, r, op.rawValue, e)
            switch op {
            case .less: return .boolean(c < 0)
            case .lessEqual: return .boolean(c <= 0)
            case .greater: return .boolean(c > 0)
            default: return .boolean(c >= 0)
            }
        case .plus:
            if case let .array(a) = l {
                if case let .array(b) = r { return .array(a + b) }
                if case let .hash(h) = r { return .array(a + h.pairs.map { .array([$0.key, $0.value]) }) }
                return .array(a + [r])
            }
            if case var .hash(a) = l {
                switch r {
                case let .hash(b): for (k, v) in b.pairs { a[k] = v }
                case let .array(b):
                    if !b.isEmpty, b.allSatisfy({ $0.arrayValue?.count == 2 }) {
                        for p in b { a[p.arrayValue![0]] = p.arrayValue![1] }
                        break
                    }
                    guard b.count % 2 == 0 else { throw error("Evaluation Error: Odd number of elements in an Array to merge into a Hash", e) }
                    var i = 0
                    while i < b.count { a[b[i]] = b[i + 1]; i += 2 }
                default: throw error("Evaluation Error: Operator '+' is not applicable to a Hash and \(articled(r.typeName)).", e)
                }
                return .hash(a)
            }
            if let t = try timeArithmetic("+", l, r, e) { return t }
            return try arithmetic("+", l, r, e)
        case .minus:
            if case let .array(a) = l {
                let remove: [Value]
                if case let .array(b) = r { remove = b } else if case let .hash(h) = r { remove = h.pairs.map { .array([$0.key, $0.value]) } } else { remove = [r] }
                return .array(a.filter { x in !remove.contains { puppetEquals($0, x) } })
            }
            if case var .hash(a) = l {
                let keys: [Value]
                switch r {
                case let .hash(b): keys = b.keys
                case let .array(b): keys = b
                default: keys = [r]
                }
                for k in keys { a[k] = nil }
                return .hash(a)
            }
            if let t = try timeArithmetic("-", l, r, e) { return t }
            return try arithmetic("-", l, r, e)
        case .leftShift:
            if case let .array(a) = l { return .array(a + [r]) }
            return try arithmetic("<<", l, r, e)
        case .times, .divide, .modulo, .rightShift:
            if let t = try timeArithmetic(op.rawValue, l, r, e) { return t }
            return try arithmetic(op.rawValue, l, r, e)
        default:
            throw error("Unsupported operator \(op.rawValue)", e)
        }
    }

    func arithmetic(_ op: String, _ l: Value, _ r: Value, _ e: Expr) throws -> Value {
        let a = try toNumber(l, op, e), b = try toNumber(r, op, e)
        switch (a, b) {
        case let (.integer(x), .integer(y)):
            switch op {
            case "+": let (v, o) = x.addingReportingOverflow(y); if o { throw overflow(e) }; return .integer(v)
            case "-": let (v, o) = x.subtractingReportingOverflow(y); if o { throw overflow(e) }; return .integer(v)
            case "*": let (v, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow(e) }; return .integer(v)
            case "/":
                guard y != 0 else { throw error("Evaluation Error: Division by 0", e) }
                // Ruby's integer division floors.
                var q = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { q -= 1 }
                return .integer(q)
            case "%":
                guard y != 0 else { throw error("Evaluation Error: Division by 0", e) }
                var m = x % y
                if m != 0 && ((m < 0) != (y < 0)) { m += y }
                return .integer(m)
            case "<<":
                if y >= 0 {
                    if x != 0 && (y >= 63 || (x > 0 ? x > (Int.max >> y) : x < (Int.min >> y))) {
                        throw error("Evaluation Error: A '<<' expression resulted in a value outside of Puppet Integer max range", e)
                    }
                    return .integer(x << y)
                }
                return .integer(x >> min(63, -y))
            case ">>": return .integer(y >= 0 ? (y >= 64 ? (x < 0 ? -1 : 0) : x >> y) : x << (-y))
            default: break
            }
        default:
            guard let x = numeric(a), let y = numeric(b) else { break }
            switch op {
            case "+": return .float(x + y)
            case "-": return .float(x - y)
            case "*": return .float(x * y)
            case "/":
                guard y != 0 else { throw error("Evaluation Error: Division by 0", e) }
                return .float(x / y)
            case "%": throw error("Evaluation Error: Operator '%' is not applicable to a Float.", e)
            case "<<", ">>": throw error("Evaluation Error: Operator '\(op)' is not applicable to a Float.", e)
            default: break
            }
        }
        throw error("Evaluation Error: Operator '\(op)' is not applicable", e)
    }

    func overflow(_ e: Expr) -> CompileError {
        error("Evaluation Error: resulting value is out of range for a 64 bit integer", e)
    }

    /// Ordering for `<` `>` …: numbers by value, strings case-insensitively.
    func compare(_ l: Value, _ r: Value, _ op: String, _ e: Expr) throws -> Int {
        switch (l, r) {
        case let (.string(a), .string(b)):
            let x = a.lowercased(), y = b.lowercased()
            return x < y ? -1 : (x == y ? 0 : 1)
        case let (.timestamp(a), .timestamp(b)), let (.timespan(a), .timespan(b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case let (.type(a), .type(b)):
            // Types are ordered by assignability: a < b when a is a proper subtype of b.
            if puppetEquals(l, r) { return 0 }
            if isSubtype(a, of: b) { return -1 }
            if isSubtype(b, of: a) { return 1 }
            return op.hasPrefix("<") ? 1 : -1
        default:
            if let a = numeric(l), let b = numeric(r) { return a < b ? -1 : (a == b ? 0 : 1) }
            throw error("Evaluation Error: Comparison of: \(l.typeName) \(op) \(r.typeName), is not possible", e)
        }
    }

    func match(_ l: Value, _ r: Value, _ e: Expr) throws -> Bool {
        switch r {
        case let .regex(p), let .string(p):
            guard case let .string(s) = l else {
                let what: String
                if case let .type(t) = l { what = articled(t.name + "-Type") } else { what = articled(l.typeName) }
                throw error("Evaluation Error: Left match operand must result in a String value. Got \(what).", e)
            }
            guard let re = try? PRegex(p) else { throw error("Evaluation Error: Invalid regular expression /\(p)/", e) }
            if let m = re.firstMatch(in: s) {
                matchStack[matchStack.count - 1] = m.map { $0.map(Value.string) ?? .undef }
                return true
            }
            return false
        case let .type(t):
            return try isInstance(l, of: t)
        default:
            throw error("Evaluation Error: Right operand of =~ must be a Regexp, String or Type, got \(r.typeName)", e)
        }
    }

    func isIn(_ l: Value, _ r: Value, _ e: Expr) throws -> Bool {
        switch r {
        case let .string(s):
            if case let .regex(p) = l { return try regexIn(p, [s]) }
            guard case let .string(needle) = l else { return false }
            return s.lowercased().contains(needle.lowercased()) || needle.isEmpty
        case let .array(items):
            switch l {
            case let .regex(p):
                return try regexIn(p, items.compactMap(\.stringValue))
            case let .type(t):
                for i in items where try isInstance(i, of: t) { return true }
                return false
            default:
                return items.contains { puppetEquals($0, l) }
            }
        case let .hash(h):
            return try isIn(l, .array(h.keys), e)
        default:
            return false
        }
    }

    /// `/re/ in x`: true if the regex matches a string; its groups become `$0..$n`.
    func regexIn(_ pattern: String, _ strings: [String]) throws -> Bool {
        let re = try PRegex(pattern)
        for s in strings {
            if let m = re.firstMatch(in: s) {
                matchStack[matchStack.count - 1] = m.map { $0.map(Value.string) ?? .undef }
                return true
            }
        }
        return false
    }

    // MARK: - Access

    func access(_ l: Value, _ rawKeys: [Value], _ e: Expr) throws -> Value {
        // `x[[1, 2]]` is `x[1, 2]`.
        var keys = rawKeys
        if keys.count == 1, case let .array(inner) = keys[0] {
            switch l { case .string, .array: keys = inner; default: break }
        }
        switch l {
        case let .string(s):
            guard keys.count <= 2 else { throw error("Evaluation Error: String supports [] with one or two arguments. Got \(keys.count)", e) }
            let chars = Array(s)
            guard let first = keys.first, case let .integer(start) = first else {
                throw error("Evaluation Error: A substring operation does not accept \(articled(keys.first?.typeName ?? "Undef")) as a character index. Expected an Integer", e)
            }
            if keys.count == 1 {
                let i = start < 0 ? chars.count + start : start
                return i >= 0 && i < chars.count ? .string(String(chars[i])) : .string("")
            }
            guard case let .integer(n) = keys[1] else { throw error("Evaluation Error: A substring operation does not accept \(articled(keys[1].typeName)) as a character index. Expected an Integer", e) }
            let (lo, hi) = sliceBounds(start, n, chars.count)
            return .string(lo < hi ? String(chars[lo..<hi]) : "")
        case let .array(items):
            guard keys.count <= 2 else { throw error("Evaluation Error: Array supports [] with one or two arguments. Got \(keys.count)", e) }
            guard let first = keys.first, case let .integer(start) = first else {
                throw error("Evaluation Error: An Array[] operation does not accept \(articled(keys.first?.typeName ?? "Undef")) as an index. Expected an Integer", e)
            }
            if keys.count == 1 {
                let i = start < 0 ? items.count + start : start
                return i >= 0 && i < items.count ? items[i] : .undef
            }
            guard case let .integer(n) = keys[1] else { throw error("Evaluation Error: An Array[] operation does not accept \(articled(keys[1].typeName)) as an index. Expected an Integer", e) }
            let (lo, hi) = sliceBounds(start, n, items.count)
            return .array(lo < hi ? Array(items[lo..<hi]) : [])
        case let .hash(h):
            // Hash keys are looked up exactly (case-sensitively), unlike ==.
            func get(_ k: Value) -> Value? { h[k] ?? h.pairs.first(where: { $0.key == k || (numeric($0.key) != nil && puppetEquals($0.key, k)) })?.value }
            if keys.count == 1 { return get(keys[0]) ?? .undef }
            return .array(keys.compactMap(get))
        case let .type(t):
            // `File['/x']['mode']`: a parameter of a resource of the catalog.
            if let ref = l.referenceString, keys.count == 1, case let .string(param) = keys[0] {
                guard let r = catalog.resource(ref: Compiler.canonicalRef(ref)) else {
                    throw error("Evaluation Error: Resource not found: \(t.description)", e)
                }
                return r.parameters[param] ?? .undef
            }
            return try parameterize(t, keys, e)
        case .undef:
            throw error("Evaluation Error: Operator '[]' is not applicable to an Undef Value.", e)
        default:
            throw error("Evaluation Error: Operator '[]' is not applicable to \(articled(l.typeName)).", e)
        }
    }

    /// Puppet's `[start, count]` slice: a negative start counts from the end (and may reach
    /// before the first element), a negative count is an end index counted from the end.
    func sliceBounds(_ start: Int, _ n: Int, _ size: Int) -> (Int, Int) {
        let lo = start < 0 ? size + start : start
        let hi = n < 0 ? size + n + 1 : lo + n
        return (max(0, min(lo, size)), max(0, min(hi, size)))
    }

    /// `File['x']`, `Resource['file', 'x']`, `Class['a']`, `Integer[1, 5]`, `Optional[String]`.
    func parameterize(_ t: PType, _ keys: [Value], _ e: Expr) throws -> Value {
        if t.name == "Resource", !keys.isEmpty {
            var typeName: String
            switch keys[0] {
            case let .string(s): typeName = Naming.typeName(s)
            case let .type(rt): typeName = rt.name
            default: throw error("Evaluation Error: First argument to Resource[] must be a resource type or a String", e)
            }
            if typeName.lowercased() == "class" { typeName = "Class" }
            let rest = Array(keys.dropFirst())
            if rest.isEmpty { return .type(PType(typeName)) }
            return try parameterize(PType(typeName), rest, e)
        }
        if t.name == "Class" && t.parameters.isEmpty { return try classReferences(keys, e) }
        if t.isResourceType {
            guard t.parameters.isEmpty else { throw error("Evaluation Error: Cannot parameterize an already parameterized reference", e) }
            var titles: [Value] = []
            var hadArray = keys.count > 1
            func add(_ k: Value) throws {
                switch k {
                case .string: titles.append(k)
                case let .array(a): hadArray = true; for x in a { try add(x) }
                case .undef: break
                default: throw error("Evaluation Error: \(t.name)[] arguments must be Strings, got \(k.typeName)", e)
                }
            }
            for k in keys { try add(k) }
            let refs = titles.map { Value.type(PType(t.name, [$0])) }
            if !hadArray { return refs.first ?? .undef }
            return .array(refs)
        }
        return try parameterizeDataType(t, keys, e)
    }
}

extension Value {
    /// `-x` for a number; nil for anything else.
    var negated: Value? {
        switch self {
        case let .integer(i): return .integer(-i)
        case let .float(f): return .float(-f)
        case let .timespan(t): return t == Int.min ? nil : .timespan(-t)
        default: return nil
        }
    }
}

extension String {
    func range(of target: String, options: BackwardsOption) -> Range<String.Index>? {
        guard !target.isEmpty, target.count <= count else { return nil }
        var i = index(endIndex, offsetBy: -target.count)
        while true {
            if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
            if i == startIndex { return nil }
            i = index(before: i)
        }
    }

    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

enum BackwardsOption { case backwards }
