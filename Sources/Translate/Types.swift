/// A compiled Puppet (Ruby-syntax) regular expression, on Swift's regex engine.
struct PRegex {
    let pattern: String
    let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        self.pattern = pattern
        // Ruby's \h is a hex digit (Swift's is horizontal space); \/ is just a slash.
        let translated = pattern.replacingOccurrences(of: "\\h", with: "[0-9a-fA-F]").replacingOccurrences(of: "\\/", with: "/")
        regex = try Regex(translated)
    }

    /// `$0`, `$1`, … of the first match (nil for groups that did not take part).
    func firstMatch(in s: String) -> [String?]? {
        guard let m = try? regex.firstMatch(in: s) else { return nil }
        return m.output.map { $0.substring.map(String.init) }
    }

    func matches(_ s: String) -> Bool { (try? regex.firstMatch(in: s)) != nil }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty, target.count <= count else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
            i = index(after: i)
        }
        return nil
    }
}

/// Puppet's `==`: strings compare case-insensitively, numbers by value across Integer and
/// Float, collections deeply; different kinds are never equal.
func puppetEquals(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case let (.string(x), .string(y)): return x.lowercased() == y.lowercased()
    case let (.integer(x), .integer(y)): return x == y
    case let (.integer(x), .float(y)): return Double(x) == y
    case let (.float(x), .integer(y)): return x == Double(y)
    case let (.float(x), .float(y)): return x == y
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { puppetEquals($0, $1) }
    case let (.hash(x), .hash(y)):
        guard x.count == y.count else { return false }
        // Keys match exactly (case-sensitively); values by ==.
        for (k, v) in x.pairs {
            guard let other = y[k] else { return false }
            if !puppetEquals(v, other) { return false }
        }
        return true
    case let (.type(x), .type(y)):
        return x.name.lowercased() == y.name.lowercased() && x.parameters.count == y.parameters.count
            && zip(x.parameters, y.parameters).allSatisfy { puppetEquals($0, $1) }
    default: return a == b
    }
}

extension Compiler {
    /// Whether `v` is an instance of type `t` (the common types; unknown ones match).
    func isInstance(_ v: Value, of t: PType) throws -> Bool {
        let p = t.parameters
        func bounds() -> (Double, Double) {
            var lo = -Double.infinity, hi = Double.infinity
            if p.count >= 1, let l = numeric(p[0]) { lo = l }
            if p.count >= 2, let h = numeric(p[1]) { hi = h }
            return (lo, hi)
        }
        func sizeOK(_ n: Int, from: Int) -> Bool {
            var lo = 0, hi = Int.max
            if p.count > from, case let .integer(l) = p[from] { lo = l }
            if p.count > from + 1, case let .integer(h) = p[from + 1] { hi = h }
            return n >= lo && n <= hi
        }
        switch t.name {
        case "Any": return true
        case "Undef": return v.isUndef
        case "Default": if case .defaultValue = v { return true }; return false
        case "Boolean": if case .boolean = v { return true }; return false
        case "Integer":
            guard case let .integer(i) = v else { return false }
            let (lo, hi) = bounds()
            return Double(i) >= lo && Double(i) <= hi
        case "Float":
            guard case let .float(f) = v else { return false }
            let (lo, hi) = bounds()
            return f >= lo && f <= hi
        case "Numeric":
            guard let n = numeric(v), v.stringValue == nil else { return false }
            let (lo, hi) = bounds()
            return n >= lo && n <= hi
        case "String":
            guard case let .string(s) = v else { return false }
            return sizeOK(s.count, from: 0)
        case "Enum":
            guard case let .string(s) = v else { return false }
            return p.contains { if case let .string(e) = $0 { return e == s }; return false }
        case "Pattern":
            guard case let .string(s) = v else { return false }
            for pat in p {
                let source: String
                switch pat {
                case let .regex(r), let .string(r): source = r
                default: continue
                }
                if try PRegex(source).matches(s) { return true }
            }
            return false
        case "Regexp":
            guard case let .regex(r) = v else { return false }
            if let first = p.first, case let .regex(want) = first { return r == want }
            return true
        case "Array":
            guard case let .array(items) = v else { return false }
            if let first = p.first, case let .type(elem) = first {
                for i in items where try !isInstance(i, of: elem) { return false }
                return sizeOK(items.count, from: 1)
            }
            return sizeOK(items.count, from: 0)
        case "Hash":
            guard case let .hash(h) = v else { return false }
            if p.count >= 2, case let .type(kt) = p[0], case let .type(vt) = p[1] {
                for (k, x) in h.pairs where try !isInstance(k, of: kt) || !isInstance(x, of: vt) { return false }
                return sizeOK(h.count, from: 2)
            }
            return sizeOK(h.count, from: 0)
        case "Tuple":
            guard case let .array(items) = v else { return false }
            let types = p.compactMap { if case let .type(t) = $0 { return t }; return nil }
            guard items.count >= types.count || p.count > types.count else { return false }
            for (i, item) in items.enumerated() {
                let tt = i < types.count ? types[i] : types.last
                if let tt, try !isInstance(item, of: tt) { return false }
            }
            return items.count == types.count || p.count > types.count
        case "Struct":
            guard case let .hash(h) = v, case let .hash(schema)? = p.first else { return false }
            return try structProblems(schema, h).isEmpty
        case "Optional":
            if v.isUndef { return true }
            guard let first = p.first else { return true }
            if case let .type(inner) = first { return try isInstance(v, of: inner) }
            if case let .string(s) = first { return v == .string(s) }
            return true
        case "NotUndef":
            if v.isUndef { return false }
            if let first = p.first, case let .type(inner) = first { return try isInstance(v, of: inner) }
            return true
        case "Variant":
            for x in p { if case let .type(inner) = x, try isInstance(v, of: inner) { return true } }
            return false
        case "Scalar", "ScalarData":
            switch v {
            case .string, .integer, .float, .boolean: return true
            case .regex: return t.name == "Scalar"
            default: return false
            }
        case "Data", "RichData":
            switch v {
            case .undef, .string, .integer, .float, .boolean: return true
            case let .array(a): return try a.allSatisfy { try isInstance($0, of: t) }
            case let .hash(h):
                for (k, x) in h.pairs where try k.stringValue == nil || !isInstance(x, of: t) { return false }
                return true
            default: return t.name == "RichData"
            }
        case "Collection", "Iterable":
            switch v {
            case .array, .hash: return true
            case .string: return t.name == "Iterable"
            default: return false
            }
        case "Type":
            guard case let .type(inner) = v else { return false }
            if let first = p.first, case let .type(want) = first {
                return want.name == "Any" || inner.name.lowercased() == want.name.lowercased()
                    || (want.name == "Resource" && inner.isResourceType)
            }
            return true
        case "Sensitive": if case .sensitive = v { return true }; return false
        case "Timestamp": if case .timestamp = v { return true }; return false
        case "Timespan": if case .timespan = v { return true }; return false
        case "Callable", "Runtime", "Object", "Init", "SemVer", "SemVerRange", "Binary", "Deferred", "Error", "URI":
            return false
        case "Resource", "CatalogEntry", "Catalogentry":
            guard case let .type(inner) = v else { return false }
            return inner.isResourceType || inner.name == "Class"
        case "Class":
            guard case let .type(inner) = v else { return false }
            return inner.name == "Class"
        default:
            if typeAliases[t.name] == nil, mayBeLaterAlias(t.name) { _ = try registerRestOfMainManifest() }
            if let (alias, file) = typeAliases[t.name] {
                let saved = currentFile
                currentFile = file
                defer { currentFile = saved }
                guard case let .type(real) = try evaluate(alias, topScope) else { return false }
                return try isInstance(v, of: real)
            }
            // A resource type as a type: matches references of that type.
            guard case let .type(inner) = v else { return false }
            return inner.name.lowercased() == t.name.lowercased()
        }
    }

    func numeric(_ v: Value) -> Double? {
        switch v {
        case let .integer(i): return Double(i)
        case let .float(f): return f
        default: return nil
        }
    }

    /// "expects … value, got …" as Puppet's TypeMismatchDescriber words the common cases: a
    /// match for Enum and Pattern (quoting a string value); a value that does not even fit
    /// the expected type's unparameterised form names only that form (`String[1]` given undef:
    /// "expects a String value, got Undef"); otherwise the full expected type. Aliases,
    /// variants and the rest keep the full type.
    func mismatch(_ expected: PType, _ value: Value) throws -> String {
        if expected.name == "Enum" || expected.name == "Pattern" {
            let got: String
            if case let .string(s) = value { got = "'" + s + "'" } else { got = inferredTypeName(value) }
            return "expects a match for \(expected.description), got \(got)"
        }
        let generalisable: Set<String> = ["Integer", "Float", "Numeric", "String", "Array", "Hash", "Boolean", "Regexp"]
        if generalisable.contains(expected.name), !expected.parameters.isEmpty, try !isInstance(value, of: PType(expected.name)) {
            return "expects \(articled(expected.name)) value, got \(inferredTypeName(value))"
        }
        return "expects \(articled(expected.description)) value, got \(inferredTypeName(value))"
    }

    /// What keeps a hash from fitting a Struct's schema, as Puppet's describer lists it: each
    /// required key that is missing, each entry of the wrong type, then each key the struct
    /// does not have (`Optional[k]` keys may be left out). Empty when the hash fits.
    func structProblems(_ schema: OrderedHash, _ h: OrderedHash) throws -> [String] {
        var problems: [String] = []
        var allowed = Set<Value>()
        for (k, st) in schema.pairs {
            var key = k, optional = false
            if case let .type(kt) = k, kt.name == "Optional", let inner = kt.parameters.first { key = inner; optional = true }
            allowed.insert(key)
            guard case let .type(valueType) = st else { continue }
            if let x = h[key] {
                if try !isInstance(x, of: valueType) { problems.append("entry '\(key.interpolated)' " + (try mismatch(valueType, x))) }
            } else if !optional, try !isInstance(.undef, of: valueType) {
                problems.append("expects a value for key '\(key.interpolated)'")
            }
        }
        for k in h.keys where !allowed.contains(k) { problems.append("unrecognized key '\(k.interpolated)'") }
        return problems
    }

    /// `type(x)`: the detailed type Puppet infers for a value (Integer[42, 42], Tuple of the
    /// elements' types, Struct of a hash with string keys).
    func detailedType(_ v: Value) -> PType {
        switch v {
        case let .integer(n): return PType("Integer", [.integer(n), .integer(n)])
        case let .float(f): return PType("Float", [.float(f), .float(f)])
        case let .array(a):
            return a.isEmpty ? PType("Array", [.integer(0), .integer(0)]) : PType("Tuple", a.map { .type(detailedType($0)) })
        case let .hash(h):
            if h.pairs.isEmpty { return PType("Hash", [.integer(0), .integer(0)]) }
            guard h.pairs.allSatisfy({ if case .string = $0.key { return true }; return false }) else { return PType("Hash") }
            return PType("Struct", [.hash(OrderedHash(h.pairs.map { ($0.key, .type(detailedType($0.value))) }))])
        case .timestamp, .timespan: return PType(v.typeName, [.string(v.interpolated)])
        case let .type(t): return PType("Type", [.type(t.parameters.isEmpty ? t : PType(t.name))])
        default: return PType(inferredTypeName(v))
        }
    }

    /// `type(x, 'generalized')`: ranges and sizes dropped, a tuple as an array of its elements'
    /// common type, a struct as a hash of String to its values' common type.
    func generalized(_ t: PType) -> PType {
        func common(_ types: [PType]) -> PType {
            let names = Set(types.map(\.name))
            if names == ["Type"], Set(types.map(\.description)).count > 1 {
                // The types of different resource types have Type[Resource] in common.
                let allResources = types.allSatisfy { t in
                    guard case let .type(inner)? = t.parameters.first else { return false }
                    return !PType.dataTypes.contains(inner.name)
                }
                return allResources ? PType("Type", [.type(PType("Resource"))]) : PType("Data")
            }
            if names.count == 1 { return types[0] }
            if names.isSubset(of: ["Integer", "Float"]) { return PType("Numeric") }
            if names.isSubset(of: ["Integer", "Float", "String", "Boolean"]) { return PType("ScalarData") }
            return PType("Data")
        }
        func inner(_ v: Value) -> PType? { if case let .type(x) = v { return generalized(x) }; return nil }
        switch t.name {
        case "Integer", "Float", "String", "Timestamp", "Timespan": return PType(t.name)
        case "Tuple": return PType("Array", [.type(common(t.parameters.compactMap(inner)))])
        case "Struct":
            guard case let .hash(h)? = t.parameters.first else { return PType("Hash") }
            return PType("Hash", [.type(PType("String")), .type(common(h.pairs.compactMap { inner($0.value) }))])
        default: return t
        }
    }

    /// The type Puppet infers for a value, as printed in type mismatch messages.
    func inferredTypeName(_ v: Value) -> String {
        switch v {
        case .string: return "String"
        case let .array(a): return a.isEmpty ? "Array[0, 0]" : "Array"
        case let .hash(h): return h.isEmpty ? "Hash[0, 0]" : "Hash"
        default: return v.typeName
        }
    }
}
