import PuppetParser

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Built-in functions: the catalog ones (include, contain, realize, …), logging, iteration with
/// lambdas, and the data functions real modules call most. A function we lack is an error that
/// names it, never a silent skip.
extension Compiler {
    func callFunction(_ name: String, _ argExprs: [Expr], _ lambda: Expr?, _ scope: Scope, _ e: Expr) throws -> Value {
        let fname = Compiler.normalize(name)
        if fname == "__epp_text" || fname == "__epp_out", !eppStack.isEmpty {
            let top = eppStack.count - 1
            if fname == "__epp_text", case let .integer(i, _) = argExprs.first?.kind, case let .text(t) = eppStack[top].chunks[i] {
                eppStack[top].output += t
            } else if let a = argExprs.first {
                eppStack[top].output += try evaluate(a, scope).interpolated
            }
            return .undef
        }
        let args = try evaluateUnfolding(argExprs, scope)
        // Puppet-language functions first (they can shadow nothing built in, but modules use them).
        var userFunction = functions[fname]
        if userFunction == nil, try registerRestOfMainManifest() { userFunction = functions[fname] }
        if userFunction == nil, try loader.loadFunction(fname, into: self) { userFunction = functions[fname] }
        if let def = userFunction {
            return try callPuppetFunction(def, args, e)
        }
        // A type called as a function creates a value: `Integer('12')`, `String(5)`.
        if name.first?.isUppercase == true {
            return try newValue(typeFor(name: name), args, e)
        }
        switch fname {
        case "include", "require", "contain":
            var refs: [Value] = []
            for n in args.flatMap(flattenClassNames) {
                let cls = try declareClass(n, arguments: nil, resourceLike: false, from: scope, at: e)
                refs.append(.type(PType("Class", [.string(Compiler.normalize(n))])))
                if fname == "contain", let container = scope.container, container !== cls {
                    if !catalog.containmentEdges.contains(where: { $0.from === container && $0.to === cls }) {
                        catalog.contain(container, cls)
                    }
                }
                if fname == "require", let container = scope.container {
                    var list = container.parameters["require"].map { $0.arrayValue ?? [$0] } ?? []
                    list.append(.string(cls.ref))
                    container.set("require", list.count == 1 ? list[0] : .array(list))
                }
            }
            return .array(refs)
        case "realize":
            for a in args { try realize(a, at: e) }
            return .undef
        case "tag":
            if let c = scope.container {
                for t in args.flatMap(Catalog.flattenStrings) { c.tags.insert(t.lowercased()) }
            }
            return .undef
        case "tagged":
            guard let c = scope.container else { return .boolean(false) }
            return .boolean(args.flatMap(Catalog.flattenStrings).allSatisfy { c.tags.contains($0.lowercased()) })
        case "defined":
            for a in args {
                if try isDefined(a, scope) { return .boolean(true) }
            }
            return .boolean(false)
        case "fail":
            throw error("Evaluation Error: Error while evaluating a Function Call, " + args.map(\.interpolated).joined(separator: " "), e)
        case "notice", "info", "warning", "err", "debug", "alert", "crit", "emerg":
            if fname == "warning" || fname == "err" { warn(args.map(\.interpolated).joined(separator: " "), e) }
            return .undef
        case "template", "inline_template":
            throw error("Evaluation Error: Error while evaluating a Function Call, ERB templates ('\(fname)') are not supported yet; use epp()", e)
        case "lookup", "hiera", "hiera_array", "hiera_hash", "hiera_include":
            // Without Hiera data only the default can answer.
            if fname == "lookup", args.count >= 4 { return args[3] }
            if fname == "lookup", case let .hash(opts)? = args.last, let d = opts[.string("default_value")] { return d }
            throw error("Evaluation Error: Error while evaluating a Function Call, Function lookup() did not find a value for the name '\(args.first?.interpolated ?? "")' (Hiera is not supported yet)", e)
        case "file":
            for a in args {
                if let text = try loader.readFile(a.interpolated, kind: "files") { return .string(text) }
            }
            throw error("Evaluation Error: Error while evaluating a Function Call, Could not find any files from \(args.map(\.interpolated).joined(separator: ", "))", e)
        case "epp":
            guard let path = args.first?.stringValue else { throw error("epp() expects a template path", e) }
            guard let text = try loader.readFile(path, kind: "templates") else {
                throw error("Evaluation Error: Error while evaluating a Function Call, Could not find template '\(path)'", e)
            }
            return .string(try renderEPP(text, path: path, args.count > 1 ? args[1] : .undef, e))
        case "inline_epp":
            guard let text = args.first?.stringValue else { throw error("inline_epp() expects a template string", e) }
            return .string(try renderEPP(text, path: "inline_epp", args.count > 1 ? args[1] : .undef, e, scope: scope))
        case "each", "map", "filter", "reduce", "reverse_each", "step", "with", "then", "any", "all", "index", "slice", "tree_each":
            return try iterate(fname, args, lambda, scope, e)
        case "create_resources":
            return try createResources(args, scope, e)
        case "assert_type":
            guard args.count >= 2, case let .type(t) = args[0] else { throw error("assert_type expects a type and a value", e) }
            if try !isInstance(args[1], of: t), lambda != nil {
                return try callLambda(lambda, [.type(t), .type(PType(inferredTypeName(args[1])))], scope, e)
            }
            if try !isInstance(args[1], of: t) {
                throw error("Evaluation Error: Error while evaluating a Function Call, assert_type(): expects \(articled(t.description)) value, got \(inferredTypeName(args[1]))", e)
            }
            return args[1]
        case "type":
            let detailed = detailedType(args.first ?? .undef)
            switch args.count > 1 ? args[1].stringValue : nil {
            case "generalized": return .type(generalized(detailed))
            default: return .type(detailed)
            }
        case "new":
            guard case let .type(t)? = args.first else { throw error("new() expects a type", e) }
            return try newValue(t, Array(args.dropFirst()), e)
        default:
            return try dataFunction(fname, args, lambda, scope, e)
        }
    }

    func flattenClassNames(_ v: Value) -> [String] {
        switch v {
        case let .string(s): return [s]
        case let .array(a): return a.flatMap(flattenClassNames)
        case let .type(t):
            if t.name == "Class", let first = t.parameters.first { return [first.interpolated] }
            return [t.name]
        default: return []
        }
    }

    /// `defined('x')` (class, define or type), `defined(File['x'])`, `defined('$var')`.
    func isDefined(_ v: Value, _ scope: Scope) throws -> Bool {
        switch v {
        case let .string(s):
            if s.hasPrefix("$") {
                let name = String(s.dropFirst())
                if name.containsDoubleColon {
                    let parts = name.components(separatedBy: "::")
                    return classScopes[Compiler.normalize(parts.dropLast().joined(separator: "::"))]?.variables[parts.last!] != nil
                }
                return scope.lookup(name) != nil
            }
            let n = Compiler.normalize(s)
            if ResourceTypes.builtin[n] != nil || functions[n] != nil { return true }
            if try findClass(n) != nil { return true }
            return try findDefine(n) != nil
        case let .type(t):
            if let ref = v.referenceString {
                if t.name == "Class" { return catalog.resource(ref: Compiler.canonicalRef(ref)) != nil }
                if let r = catalog.resource(ref: Compiler.canonicalRef(ref)) { return !r.virtual || r.exported }
                return false
            }
            let n = Compiler.normalize(t.name)
            if ResourceTypes.builtin[n] != nil || PType.dataTypes.contains(t.name) { return true }
            return try findDefine(n) != nil
        default:
            return false
        }
    }

    // MARK: - Lambdas

    func callLambda(_ lambda: Expr?, _ args: [Value], _ scope: Scope, _ e: Expr) throws -> Value {
        guard let lambda, case let .lambda(params, _, body) = lambda.kind else {
            throw error("Evaluation Error: This function requires a block (lambda)", e)
        }
        let local = scope.local()
        for (i, p) in params.enumerated() {
            if p.capturesRest {
                local.variables[p.name] = try restArgument(p, args, from: i, local)
                break
            }
            if i < args.count {
                local.variables[p.name] = args[i]
            } else if let d = p.value {
                local.variables[p.name] = try evaluate(d, local)
            } else {
                throw error("Evaluation Error: The lambda expects \(params.count) arguments, got \(args.count)", lambda)
            }
            if let t = p.type, case let .type(pt) = try evaluate(t, local), try !isInstance(local.variables[p.name]!, of: pt) {
                throw error("Evaluation Error: Error while evaluating a Function Call, block parameter '\(p.name)' " + (try mismatch(pt, local.variables[p.name]!)), lambda)
            }
        }
        guard let body else { return .undef }
        // `next(v)` ends this call of the block with v (in every iterating function and `with`).
        let result: Value
        do { result = try evaluateStatementsValue(body, local) } catch let n as NextSignal { result = n.value }
        if case let .lambda(_, returnType?, _) = lambda.kind, case let .type(rt) = try evaluate(returnType, local), try !isInstance(result, of: rt) {
            throw error("Evaluation Error: Error while evaluating a Method call, value returned from lambda has wrong type, expects \(articled(rt.description)) value, got \(inferredTypeName(result))", lambda)
        }
        return result
    }

    func lambdaArity(_ lambda: Expr?) -> Int {
        guard let lambda, case let .lambda(params, _, _) = lambda.kind else { return 0 }
        return params.count
    }

    func iterate(_ name: String, _ args: [Value], _ lambda: Expr?, _ scope: Scope, _ e: Expr) throws -> Value {
        if name == "with" { return try callLambda(lambda, args, scope, e) }
        guard let subject = args.first else { throw error("\(name)() expects a value to iterate", e) }
        /// (index or key, value) pairs of a collection.
        func pairs(_ v: Value) throws -> [(Value, Value)] {
            switch v {
            case let .array(a): return a.enumerated().map { (.integer($0.offset), $0.element) }
            case let .hash(h): return h.pairs.map { ($0.key, $0.value) }
            case let .integer(n): return (0..<max(0, n)).map { (.integer($0), .integer($0)) }
            case let .string(s): return Array(s).enumerated().map { (.integer($0.offset), .string(String($0.element))) }
            case let .type(t) where t.name == "Integer" && t.parameters.count == 2:
                guard case let .integer(lo) = t.parameters[0], case let .integer(hi) = t.parameters[1], hi >= lo else { return [] }
                return (lo...hi).enumerated().map { (.integer($0.offset), .integer($0.element)) }
            default: throw error("Evaluation Error: \(name)(): \(v.typeName) is not iterable", e)
            }
        }
        let isHash: Bool = { if case .hash = subject { return true }; return false }()
        let arity = lambdaArity(lambda)
        func call(_ k: Value, _ v: Value) throws -> Value {
            if arity >= 2 { return try callLambda(lambda, [k, v], scope, e) }
            return try callLambda(lambda, [isHash ? .array([k, v]) : v], scope, e)
        }
        // `break()` in the block ends the iteration; the function returns what it has so far.
        func untilBreak(_ body: () throws -> Void) rethrows { do { try body() } catch is BreakSignal {} }
        switch name {
        case "each":
            try untilBreak { for (k, v) in try pairs(subject) { _ = try call(k, v) } }
            return subject
        case "reverse_each":
            if lambda == nil { return .array(try pairs(subject).map(\.1).reversed()) }
            try untilBreak { for (k, v) in try pairs(subject).reversed() { _ = try call(k, v) } }
            return subject
        case "map":
            var out: [Value] = []
            try untilBreak { for (k, v) in try pairs(subject) { out.append(try call(k, v)) } }
            return .array(out)
        case "filter":
            var kept: [(Value, Value)] = []
            try untilBreak { for (k, v) in try pairs(subject) where try call(k, v).isTruthy { kept.append((k, v)) } }
            if case .hash = subject { return .hash(OrderedHash(kept)) }
            return .array(kept.map(\.1))
        case "any":
            var found = false
            try untilBreak { for (k, v) in try pairs(subject) where try call(k, v).isTruthy { found = true; break } }
            return .boolean(found)
        case "all":
            var every = true
            try untilBreak { for (k, v) in try pairs(subject) where try !call(k, v).isTruthy { every = false; break } }
            return .boolean(every)
        case "index":
            // With a value instead of a lambda: where it is (a substring's character offset).
            if lambda == nil, args.count > 1 {
                if case let .string(s) = subject, case let .string(sub) = args[1] {
                    return s.range(of: sub).map { .integer(s.distance(from: s.startIndex, to: $0.lowerBound)) } ?? .undef
                }
                for (k, v) in try pairs(subject) where puppetEquals(v, args[1]) { return k }
                return .undef
            }
            var at: Value = .undef
            try untilBreak { for (k, v) in try pairs(subject) where try call(k, v).isTruthy { at = k; break } }
            return at
        case "reduce":
            var items = try pairs(subject).map { isHash ? Value.array([$0.0, $0.1]) : $0.1 }
            var memo: Value
            if args.count > 1 { memo = args[1] } else {
                guard !items.isEmpty else { return .undef }
                memo = items.removeFirst()
            }
            try untilBreak { for v in items { memo = try callLambda(lambda, [memo, v], scope, e) } }
            return memo
        case "tree_each":
            let entries = try treeEntries(subject, options: args.count > 1 ? args[1] : .undef, e)
            // Without a block: the entries ([path, value]) to iterate further (Puppet's Iterator).
            guard lambda != nil else { return .array(entries.map { .array([.array($0.path), $0.value]) }) }
            try untilBreak {
                for entry in entries {
                    _ = try callLambda(lambda, arity >= 2 ? [.array(entry.path), entry.value] : [entry.value], scope, e)
                }
            }
            return subject
        case "with":
            return try callLambda(lambda, args, scope, e)
        case "then":
            return subject.isUndef ? .undef : try callLambda(lambda, [subject], scope, e)
        case "step":
            guard args.count > 1, case let .integer(n) = args[1], n > 0 else { throw error("step() expects a positive step", e) }
            let items = try pairs(subject).map(\.1)
            let stepped = stride(from: 0, to: items.count, by: n).map { items[$0] }
            if lambda == nil { return .array(stepped) }
            try untilBreak { for v in stepped { _ = try callLambda(lambda, [v], scope, e) } }
            return subject
        case "slice":
            guard args.count > 1, case let .integer(n) = args[1], n > 0 else { throw error("slice() expects a positive size", e) }
            let items = try pairs(subject).map { isHash ? Value.array([$0.0, $0.1]) : $0.1 }
            let chunks = stride(from: 0, to: items.count, by: n).map { Value.array(Array(items[$0..<min($0 + n, items.count)])) }
            if lambda == nil { return .array(chunks) }
            try untilBreak {
                for c in chunks {
                    if arity > 1, case let .array(parts) = c { _ = try callLambda(lambda, parts, scope, e) } else { _ = try callLambda(lambda, [c], scope, e) }
                }
            }
            return subject
        default:
            throw error("Unknown function: '\(name)'.", e)
        }
    }

    /// tree_each's walk: every container (arrays and hashes) and value below `tree` with its
    /// path, depth first (a container before what it holds) or breadth first (siblings before
    /// children), with Puppet's options include_root, include_containers, include_values, order.
    func treeEntries(_ tree: Value, options: Value, _ e: Expr) throws -> [(path: [Value], value: Value)] {
        func option(_ name: String, _ fallback: Bool) -> Bool {
            if case let .hash(h) = options, let v = h[.string(name)], !v.isUndef { return v.isTruthy }
            return fallback
        }
        let containers = option("include_containers", true), values = option("include_values", true)
        let root = containers && option("include_root", true)
        var depthFirst = true
        if case let .hash(h) = options, let order = h[.string("order")]?.stringValue { depthFirst = order != "breadth_first" }
        guard containers || values else {
            throw error("Evaluation Error: Error while evaluating a Function Call, Options 'include_containers' and 'include_values' cannot both be false", e)
        }
        func children(_ v: Value) -> [(Value, Value)]? {
            switch v {
            case let .array(a): return a.enumerated().map { (.integer($0.offset), $0.element) }
            case let .hash(h): return h.pairs.map { ($0.key, $0.value) }
            default: return nil
            }
        }
        guard children(tree) != nil else {
            throw error("Evaluation Error: Error while evaluating a Function Call, 'tree_each' expects an Array, Hash or Iterator, got \(inferredTypeName(tree))", e)
        }
        var out: [(path: [Value], value: Value)] = []
        if root { out.append(([], tree)) }
        func wanted(_ v: Value) -> Bool { children(v) != nil ? containers : values }
        if depthFirst {
            func walk(_ v: Value, _ path: [Value]) {
                for (k, child) in children(v) ?? [] {
                    let p = path + [k]
                    if wanted(child) { out.append((p, child)) }
                    walk(child, p)
                }
            }
            walk(tree, [])
        } else {
            var level: [(path: [Value], value: Value)] = [([], tree)]
            while !level.isEmpty {
                var next: [(path: [Value], value: Value)] = []
                for (path, v) in level {
                    for (k, child) in children(v) ?? [] {
                        let p = path + [k]
                        if wanted(child) { out.append((p, child)) }
                        if children(child) != nil { next.append((p, child)) }
                    }
                }
                level = next
            }
        }
        return out
    }

    /// A captures-rest parameter (`*$rest`): the remaining arguments, or when there are none
    /// its default, which Puppet wraps in an array unless it is one.
    func restArgument(_ p: Parameter, _ args: [Value], from i: Int, _ scope: Scope) throws -> Value {
        if i >= args.count, let d = p.value {
            let v = try evaluate(d, scope)
            if case .array = v { return v }
            return .array([v])
        }
        return .array(Array(args.dropFirst(i)))
    }

    // MARK: - Puppet-language functions

    func callPuppetFunction(_ def: Definition, _ args: [Value], _ e: Expr) throws -> Value {
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > 200 { throw error("Evaluation Error: Function \(def.name) recursed too deeply", e) }
        let scope = Scope(kind: .local, parent: topScope, dynamicParent: topScope, container: mainClass)
        let params = def.parameters
        for (i, p) in params.enumerated() {
            if p.capturesRest { scope.variables[p.name] = try restArgument(p, args, from: i, scope); break }
            if i < args.count { scope.variables[p.name] = args[i] }
            else if let d = p.value { scope.variables[p.name] = try evaluate(d, scope) }
            else { throw error("Evaluation Error: Error while evaluating a Function Call, '\(def.name)' expects \(params.count) arguments, got \(args.count)", e) }
        }
        let saved = currentFile
        currentFile = def.file
        defer { currentFile = saved }
        guard let body = def.body else { return .undef }
        do {
            return try evaluateStatementsValue(body, scope)
        } catch let r as ReturnSignal {
            return r.value
        }
    }

    // MARK: - create_resources

    func createResources(_ args: [Value], _ scope: Scope, _ e: Expr) throws -> Value {
        guard args.count >= 2, case let .hash(instances) = args[1] else {
            throw error("create_resources() expects a type name and a Hash", e)
        }
        let type = Compiler.normalize(args[0].interpolated)
        var defaults: [(String, Value)] = []
        if args.count > 2, case let .hash(d) = args[2] { defaults = d.pairs.compactMap { k, v in k.stringValue.map { ($0, v) } } }
        for (title, attrs) in instances.pairs {
            guard case let .hash(h) = attrs else { continue }
            var ops = h.pairs.compactMap { k, v in k.stringValue.map { EvaluatedAttribute(name: $0, value: v, append: false, at: e) } }
            for (k, v) in defaults where !ops.contains(where: { $0.name == k }) { ops.append(EvaluatedAttribute(name: k, value: v, append: false, at: e)) }
            if type == "class" {
                try declareClass(title.interpolated, arguments: Dictionary(ops.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), resourceLike: true, from: scope, at: e)
            } else {
                try declareResource(type, title.interpolated, ops, form: .regular, scope: scope, at: e)
            }
        }
        return .undef
    }

    // MARK: - Type conversion

    /// `String(value, format)`: a scalar through its sprintf conversion (`%x`, `%03d`, `%.2f`,
    /// `%s`, `%p`), an array or hash with Puppet's container format, whose flag picks the
    /// delimiters (`%(a` gives `(1, 2)`, `%[a`, `%{a`, `%<a`, `%|a`; elements as `%p`). Other
    /// formats (a hash of per-type formats, `%#a` and the like) are an error naming the format,
    /// never silently ignored.
    func formatted(_ v: Value, _ format: Value, _ e: Expr) throws -> String {
        guard case let .string(f) = format, f.hasPrefix("%") else {
            throw error("Evaluation Error: Error while evaluating a Function Call, String(): formats other than a single format string ('\(format.interpolated)') are not supported yet", e)
        }
        let body = f.dropFirst()
        switch v {
        case .array where body.count <= 2 && body.last == "a":
            guard let (open, close) = Self.containerDelimiters(body.count == 2 ? body.first! : "[", array: true) else { break }
            // The format is the one for every array of the value, nested ones too.
            func render(_ x: Value) -> String {
                guard case let .array(items) = x else { return x.puppetRepr }
                return open + items.map(render).joined(separator: ", ") + close
            }
            return render(v)
        case .hash where body.count <= 2 && body.last == "h":
            guard let (open, close) = Self.containerDelimiters(body.count == 2 ? body.first! : "{", array: false) else { break }
            func render(_ x: Value) -> String {
                guard case let .hash(h) = x else { return x.puppetRepr }
                return open + h.pairs.map { "\($0.key.puppetRepr) => \(render($0.value))" }.joined(separator: ", ") + close
            }
            return render(v)
        case .integer, .float, .string, .boolean, .undef:
            if let conv = body.last, "dixXobBeEfgGsp".contains(conv), !body.dropLast().contains("%") {
                return try sprintf(f, [v], e)
            }
        default:
            break
        }
        throw error("Evaluation Error: Error while evaluating a Function Call, String(): the format '\(f)' for \(inferredTypeName(v)) is not supported yet", e)
    }

    static func containerDelimiters(_ flag: Character, array: Bool) -> (String, String)? {
        switch flag {
        case "[": return ("[", "]")
        case "(": return ("(", ")")
        case "{": return ("{", "}")
        case "<": return ("<", ">")
        case "|": return ("|", "|")
        default: return nil
        }
    }

    func newValue(_ t: PType, _ args: [Value], _ e: Expr) throws -> Value {
        let v = args.first ?? .undef
        switch t.name {
        case "Timestamp": return try newTimestamp(args, e)
        case "Timespan": return try newTimespan(args, e)
        case "String":
            if args.count > 1 { return .string(try formatted(v, args[1], e)) }
            switch v {
            case .array, .hash: return .string(v.puppetRepr)
            default: return .string(v.interpolated)
            }
        case "Integer", "Numeric", "Float":
            switch v {
            case let .integer(i): return t.name == "Float" ? .float(Double(i)) : .integer(i)
            case let .float(f): return t.name == "Integer" ? .integer(Int(f)) : .float(f)
            case let .boolean(b): return .integer(b ? 1 : 0)
            case let .string(s):
                if args.count > 1, case let .integer(radix) = args[1], let i = Int(s, radix: radix) { return .integer(i) }
                if let n = Compiler.parseNumber(s) {
                    if t.name == "Integer", case let .float(f) = n { return .integer(Int(f)) }
                    if t.name == "Float", case let .integer(i) = n { return .float(Double(i)) }
                    return n
                }
                throw error("Evaluation Error: Error while evaluating a Function Call, The string '\(s)' cannot be converted to \(t.name)", e)
            default: throw error("Evaluation Error: Error while evaluating a Function Call, Converted value from \(v.typeName) has wrong type, expects \(t.name)", e)
            }
        case "Boolean":
            switch v {
            case let .boolean(b): return .boolean(b)
            case let .string(s):
                switch s.lowercased() {
                case "true", "yes", "y": return .boolean(true)
                case "false", "no", "n", "": return .boolean(false)
                default: throw error("Evaluation Error: The string '\(s)' cannot be converted to Boolean", e)
                }
            case let .integer(i): return .boolean(i != 0)
            case let .float(f): return .boolean(f != 0)
            default: throw error("Evaluation Error: \(v.typeName) cannot be converted to Boolean", e)
            }
        case "Array":
            switch v {
            case .array: return v
            case let .hash(h): return .array(h.pairs.map { .array([$0.key, $0.value]) })
            default: return .array([v])
            }
        case "Hash":
            switch v {
            case .hash: return v
            case let .array(a):
                var h = OrderedHash()
                if a.allSatisfy({ $0.arrayValue?.count == 2 }) {
                    for p in a { h[p.arrayValue![0]] = p.arrayValue![1] }
                } else {
                    var i = 0
                    while i + 1 < a.count { h[a[i]] = a[i + 1]; i += 2 }
                }
                return .hash(h)
            default: throw error("Evaluation Error: \(v.typeName) cannot be converted to Hash", e)
            }
        case "Sensitive": return .sensitive(Value.Box(v))
        case "Regexp": return .regex(v.interpolated)
        default:
            throw error("Evaluation Error: Creation of new instance of type '\(t.description)' is not supported", e)
        }
    }
}

/// `next(x)` and `break()` inside a lambda given to an iterating function.
struct NextSignal: Error { let value: Value }
struct BreakSignal: Error {}

/// `return(x)` inside a function unwinds to its caller.
struct ReturnSignal: Error {
    let value: Value
}
