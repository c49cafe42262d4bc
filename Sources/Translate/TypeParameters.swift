import PuppetParser

/// Parameterizing data types (`Integer[1, 5]`, `Array[String, 1]`, `Pattern['a']`) with
/// Puppet's normalisations and errors, and the subtype order used by `<`, `<=` on types.
extension Compiler {
    func parameterizeDataType(_ t: PType, _ rawKeys: [Value], _ e: Expr) throws -> Value {
        // A single array argument spreads: Integer[[1, 3]] is Integer[1, 3].
        var keys = rawKeys
        if keys.count == 1, case let .array(inner) = keys[0], t.name != "Enum", t.name != "Struct" { keys = inner }
        func fail(_ m: String) -> CompileError { error("Evaluation Error: " + m, e) }
        func isType(_ v: Value) -> Bool { if case .type = v { return true }; return false }
        func bound(_ v: Value) throws -> Value {
            switch v {
            case .integer, .float, .defaultValue: return v
            default: throw fail("Error while evaluating a '[]' expression, arguments must be numbers or default")
            }
        }
        /// Size constraints: integers, default, or an Integer type standing for its range.
        func sizeArgs(_ args: ArraySlice<Value>) throws -> [Value] {
            if args.count == 1, case let .type(it) = args.first!, it.name == "Integer" { return it.parameters }
            for a in args {
                switch a {
                case .integer, .defaultValue: continue
                case let .type(x): throw fail("A Type's size constraint arguments must be a single Integer type, or 1-2 integers (or default). Got \(articled(x.name + "-Type"))")
                default: throw fail("A Type's size constraint arguments must be a single Integer type, or 1-2 integers (or default). Got \(articled(a.typeName))")
                }
            }
            return Array(args)
        }
        switch t.name {
        case "Integer", "Float":
            guard keys.count >= 1 && keys.count <= 2 else { throw fail("\(t.name)-Type supports [] with one or two arguments (from, to). Got \(keys.count)") }
            var ps = try keys.map(bound)
            if t.name == "Float" { ps = ps.map { if case let .integer(i) = $0 { return .float(Double(i)) }; return $0 } }
            if ps.count == 2, let a = numeric(ps[0]), let b = numeric(ps[1]), a > b {
                throw fail("Error while evaluating a '[]' expression, 'from' must be less or equal to 'to'. Got (\(ps[0].interpolated), \(ps[1].interpolated)")
            }
            return .type(PType(t.name, ps))
        case "String":
            return .type(PType("String", try sizeArgs(keys[...])))
        case "Array":
            guard keys.count >= 1 && keys.count <= 3 else { throw fail("Array-Type[] accepts 1 to 3 arguments. Got \(keys.count)") }
            if keys.count == 2, !isType(keys[0]), !isType(keys[1]) { return .type(PType("Array", try sizeArgs(keys[...]))) }
            guard isType(keys[0]) else { throw fail("Array-Type[] arguments must be types. Got \(keys[0].typeName)") }
            return .type(PType("Array", [keys[0]] + (try sizeArgs(keys.dropFirst()))))
        case "Hash":
            guard keys.count >= 2 && keys.count <= 4 else { throw fail("Hash-Type[] accepts 2 to 4 arguments. Got \(keys.count)") }
            if keys.count == 2, !isType(keys[0]), !isType(keys[1]) { return .type(PType("Hash", try sizeArgs(keys[...]))) }
            for k in keys.prefix(2) where !isType(k) { throw fail("Hash-Type[] arguments must be types. Got \(k.typeName)") }
            return .type(PType("Hash", Array(keys.prefix(2)) + (try sizeArgs(keys.dropFirst(2)))))
        case "Pattern":
            var pats: [Value] = []
            for k in keys {
                switch k {
                case let .string(s): pats.append(.regex(s))
                case .regex: pats.append(k)
                case let .type(p) where p.name == "Pattern" || p.name == "Regexp": pats += p.parameters
                default: throw fail("Error creating type specialization of a Pattern-Type, Cannot use \(k.typeName) where String or Regexp or Pattern-Type or Regexp-Type is expected")
                }
            }
            return .type(PType("Pattern", pats))
        case "Regexp":
            guard keys.count == 1 else { throw fail("A Regexp-Type[] accepts 1 argument. Got \(keys.count)") }
            switch keys[0] {
            case let .string(s): return .type(PType("Regexp", [.regex(s)]))
            case .regex: return .type(PType("Regexp", keys))
            default: throw fail("Error creating type specialization of a Regexp-Type, Cannot use \(keys[0].typeName) where String or Regexp is expected")
            }
        case "Tuple":
            for k in keys where !isType(k) {
                if case .integer = k { continue }
                if case .defaultValue = k { continue }
                throw fail("Error creating type specialization of a Tuple-Type, Cannot use \(k.typeName) where Any-Type is expected")
            }
            return .type(PType("Tuple", keys))
        case "NotUndef":
            guard keys.count <= 1 else { throw fail("NotUndef-Type[] accepts 0 to 1 arguments. Got \(keys.count)") }
            if let k = keys.first, !isType(k), k.stringValue == nil { throw fail("NotUndef-Type[] argument must be a Type or a String. Got \(k.typeName)") }
            return .type(PType("NotUndef", keys))
        case "Optional":
            guard keys.count == 1 else { throw fail("Optional-Type[] accepts 1 argument. Got \(keys.count)") }
            return .type(PType("Optional", keys))
        case "Type":
            guard keys.count == 1 else { throw fail("Type[] accepts 1 argument. Got \(keys.count)") }
            return .type(PType("Type", keys))
        case "Variant":
            for k in keys where !isType(k) { throw fail("Variant-Type[] arguments must be types. Got \(k.typeName)") }
            return .type(PType("Variant", keys))
        case "Enum":
            var values: [Value] = []
            for k in keys {
                if case let .array(a) = k { values += a } else { values.append(k) }
            }
            return .type(PType("Enum", values))
        default:
            return .type(PType(t.name, keys))
        }
    }

    /// `Class[x]`: lowercase names, undef gives undef, arrays give arrays (flattened, empties dropped).
    func classReferences(_ keys: [Value], _ e: Expr) throws -> Value {
        var names: [Value] = []
        var hadArray = keys.count > 1
        func add(_ k: Value) throws {
            switch k {
            case let .string(s):
                let n = Compiler.normalize(s)
                let ok = n.split(separator: ":", omittingEmptySubsequences: false).enumerated().allSatisfy { i, seg in
                    if i % 2 == 1 { return seg.isEmpty }
                    guard let f = seg.first, f.isLowercase || f == "_" else { return false }
                    return seg.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                }
                if !ok { throw error("Evaluation Error: Illegal name. The given name '\(s)' does not conform to the naming rule /^((::)?[a-z_]\\w*)(::[a-z]\\w*)*$/", e) }
                names.append(.type(PType("Class", [.string(n)])))
            case let .array(a):
                hadArray = true
                for x in a { try add(x) }
            case .undef: break
            case let .type(ct) where ct.name == "Class" && !ct.parameters.isEmpty: names.append(k)
            case let .type(ct):
                throw error("Evaluation Error: Illegal Class name in class reference. \(articled(ct.name + "-Type")) cannot be used where a String is expected", e)
            default:
                throw error("Evaluation Error: Illegal Class name in class reference. \(articled(k.typeName)) cannot be used where a String is expected", e)
            }
        }
        for k in keys { try add(k) }
        if !hadArray { return names.first ?? .undef }
        return .array(names)
    }

    /// Whether every instance of `sub` is an instance of `sup` (Puppet's assignability, for the
    /// common data types).
    func isSubtype(_ sub: PType, of sup: PType) -> Bool {
        if sup.name == "Any" { return true }
        if sub.name == sup.name {
            if sup.parameters.isEmpty { return true }
            if sub.parameters == sup.parameters { return true }
            switch sup.name {
            case "Integer", "Float":
                let (slo, shi) = rangeOf(sub), (plo, phi) = rangeOf(sup)
                return slo >= plo && shi <= phi
            default: return false
            }
        }
        switch sup.name {
        case "Data", "RichData":
            if sub.name == "Array" || sub.name == "Hash" {
                let elem = sub.parameters.last(where: { if case .type = $0 { return true }; return false })
                if case let .type(et)? = elem { return et.name == "Data" || isSubtype(et, of: sup) }
                return false
            }
            return ["Undef", "Integer", "Float", "Numeric", "String", "Boolean", "ScalarData", "Enum", "Pattern"].contains(sub.name)
                || (sup.name == "RichData" && ["Regexp", "Scalar", "Type", "Default"].contains(sub.name))
        case "Scalar":
            return ["Integer", "Float", "Numeric", "String", "Boolean", "Regexp", "Enum", "Pattern", "ScalarData"].contains(sub.name)
        case "ScalarData":
            return ["Integer", "Float", "Numeric", "String", "Boolean", "Enum", "Pattern"].contains(sub.name)
        case "Numeric":
            return ["Integer", "Float"].contains(sub.name)
        case "String":
            return ["Enum", "Pattern"].contains(sub.name) && sup.parameters.isEmpty
        case "Collection":
            return ["Array", "Hash", "Tuple", "Struct"].contains(sub.name)
        case "Array":
            return sub.name == "Tuple" && sup.parameters.isEmpty
        case "Hash":
            return sub.name == "Struct" && sup.parameters.isEmpty
        case "CatalogEntry", "Catalogentry":
            return sub.name == "Resource" || sub.name == "Class" || sub.isResourceType
        case "Resource":
            return sub.isResourceType && sup.parameters.isEmpty
        case "Optional":
            if sub.name == "Undef" { return true }
            if let first = sup.parameters.first, case let .type(inner) = first { return isSubtype(sub, of: inner) }
            return true
        case "NotUndef":
            if sub.name == "Undef" || sub.name == "Optional" || sub.name == "Any" { return false }
            if let first = sup.parameters.first, case let .type(inner) = first { return isSubtype(sub, of: inner) }
            return true
        case "Variant":
            return sup.parameters.contains { if case let .type(x) = $0 { return isSubtype(sub, of: x) }; return false }
        case "Iterable":
            return ["Array", "Hash", "Tuple", "Struct", "String", "Iterator"].contains(sub.name)
        default:
            return false
        }
    }

    func rangeOf(_ t: PType) -> (Double, Double) {
        var lo = -Double.infinity, hi = Double.infinity
        if t.parameters.count >= 1, let l = numeric(t.parameters[0]) { lo = l }
        if t.parameters.count >= 2, let h = numeric(t.parameters[1]) { hi = h }
        return (lo, hi)
    }
}
