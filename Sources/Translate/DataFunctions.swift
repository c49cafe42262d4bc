import PuppetParser

/// Data functions: Puppet 7's core ones and the stdlib ones the corpus modules call most
/// (pick, any2array, prefix, join_keys_to_values, delete_undef_values, ...).
extension Compiler {
    /// How Puppet 7's own functions name their parameters in type errors (from their dispatch
    /// declarations in puppet/functions/*.rb): `'versioncmp' parameter 'a' expects ...`.
    static let functionParameterNames: [String: [String]] = [
        "versioncmp": ["a", "b", "ignore_trailing_zeroes"], "join": ["arg", "delimiter"], "epp": ["path", "parameters"],
        "inline_epp": ["template", "parameters"], "scanf": ["data", "format"], "getvar": ["get_string", "default_value"],
        "get": ["value", "dotted_string", "default_value"],
    ]

    func dataFunction(_ name: String, _ args: [Value], _ lambda: Expr?, _ scope: Scope, _ e: Expr) throws -> Value {
        func arg(_ i: Int) -> Value { i < args.count ? args[i] : .undef }
        func str(_ i: Int) throws -> String {
            guard case let .string(s) = arg(i) else {
                let param = Compiler.functionParameterNames[name].flatMap { i < $0.count ? "'\($0[i])'" : nil } ?? "\(i + 1)"
                throw error("Evaluation Error: Error while evaluating a Function Call, '\(name)' parameter \(param) expects a String value, got \(arg(i).typeName)", e)
            }
            return s
        }
        func mapStrings(_ v: Value, _ f: (String) -> String) -> Value {
            switch v {
            case let .string(s): return .string(f(s))
            case let .array(a): return .array(a.map { mapStrings($0, f) })
            case let .hash(h): return .hash(OrderedHash(h.pairs.map { (mapStrings($0.key, f), mapStrings($0.value, f)) }))
            default: return v
            }
        }
        switch name {
        // Strings
        case "upcase": return mapStrings(arg(0)) { $0.uppercased() }
        case "downcase": return mapStrings(arg(0)) { $0.lowercased() }
        case "capitalize": return mapStrings(arg(0)) { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
        case "strip": return mapStrings(arg(0)) { $0.trimmingBlanks() }
        case "lstrip": return mapStrings(arg(0)) { String($0.drop { $0.isWhitespace }) }
        case "rstrip": return mapStrings(arg(0)) { s in var t = Substring(s); while t.last?.isWhitespace == true { t = t.dropLast() }; return String(t) }
        case "chomp": return mapStrings(arg(0)) { s in s.hasSuffix("\r\n") ? String(s.dropLast(2)) : (s.hasSuffix("\n") || s.hasSuffix("\r") ? String(s.dropLast()) : s) }
        case "chop": return mapStrings(arg(0)) { String($0.dropLast()) }
        case "split":
            let s = try str(0)
            switch arg(1) {
            case let .string(sep):
                if sep.isEmpty { return .array(s.map { .string(String($0)) }) }
                // A string separator is a regex in Puppet's split.
                return .array(try regexSplit(s, try PRegex(sep)))
            case let .regex(r): return .array(try regexSplit(s, try PRegex(r)))
            default: throw error("split() expects a String or Regexp separator", e)
            }
        case "join":
            guard case let .array(a) = arg(0) else { throw error("Evaluation Error: join() expects an Array", e) }
            let sep = args.count > 1 ? arg(1).interpolated : ""
            return .string(a.map { $0.interpolated }.joined(separator: sep))
        case "sprintf":
            return .string(try sprintf(try str(0), Array(args.dropFirst()), e))
        case "strftime":
            return try strftime(args, e)
        case "regsubst":
            let pattern: String
            switch arg(1) { case let .regex(r), let .string(r): pattern = r; default: throw error("regsubst() expects a pattern", e) }
            let replacement = try str(2)
            var global = false, ignoreCase = false
            if args.count > 3, case let .string(flags) = arg(3) { global = flags.contains("G"); ignoreCase = flags.contains("I") }
            let re = try PRegex((ignoreCase ? "(?i)" : "") + pattern)
            return mapStrings(arg(0)) { regexReplace($0, re, replacement, global: global) }
        case "match":
            let pattern: String
            switch arg(1) { case let .regex(r), let .string(r): pattern = r; default: throw error("match() expects a pattern", e) }
            let re = try PRegex(pattern)
            func m(_ v: Value) -> Value {
                switch v {
                case let .string(s): return re.firstMatch(in: s).map { .array($0.map { $0.map(Value.string) ?? .undef }) } ?? .undef
                case let .array(a): return .array(a.map(m))
                default: return .undef
                }
            }
            return m(arg(0))
        case "versioncmp":
            return .integer(versionCompare(try str(0), try str(1)))
        case "sha1", "md5", "sha256":
            return .string(try digest(name, arg(0).interpolated, e))
        case "shell_escape", "stdlib::shell_escape":
            return .string(shellEscape(arg(0).interpolated))
        case "dirname":
            let s = try str(0)
            guard let slash = s.lastIndex(of: "/") else { return .string(".") }
            let d = String(s[..<slash])
            return .string(d.isEmpty ? "/" : d)
        case "basename":
            let s = try str(0)
            var b = String(s.split(separator: "/").last ?? "")
            if args.count > 1, case let .string(ext) = arg(1), b.hasSuffix(ext) { b.removeLast(ext.count) }
            return .string(b)
        // Collections
        case "size", "length", "count":
            if name == "count", lambda != nil {
                return .integer(try (arg(0).arrayValue ?? []).filter { try callLambda(lambda, [$0], scope, e).isTruthy }.count)
            }
            switch arg(0) {
            case let .string(s): return .integer(s.count)
            case let .array(a): return .integer(name == "count" ? a.filter { !$0.isUndef }.count : a.count)
            case let .hash(h): return .integer(h.count)
            default: throw error("Evaluation Error: \(name)() expects a String, Array or Hash, got \(arg(0).typeName)", e)
            }
        case "empty":
            switch arg(0) {
            case let .string(s): return .boolean(s.isEmpty)
            case let .array(a): return .boolean(a.isEmpty)
            case let .hash(h): return .boolean(h.isEmpty)
            case .undef: return .boolean(true)
            case .integer, .float: return .boolean(false)
            default: throw error("Evaluation Error: empty() expects a Collection or String, got \(arg(0).typeName)", e)
            }
        case "keys":
            guard case let .hash(h) = arg(0) else { throw error("keys() expects a Hash", e) }
            return .array(h.keys)
        case "values":
            guard case let .hash(h) = arg(0) else { throw error("values() expects a Hash", e) }
            return .array(h.values)
        case "flatten":
            func flat(_ v: Value) -> [Value] { if case let .array(a) = v { return a.flatMap(flat) }; return [v] }
            return .array(args.flatMap(flat))
        case "unique":
            switch arg(0) {
            case let .array(a):
                var out: [Value] = []
                for x in a where !out.contains(x) { out.append(x) }
                return .array(out)
            case let .string(s):
                var seen = Set<Character>(); var out = ""
                for c in s where seen.insert(c).inserted { out.append(c) }
                return .string(out)
            default: return arg(0)
            }
        case "sort":
            guard case let .array(a) = arg(0) else { throw error("sort() expects an Array", e) }
            if lambda != nil {
                return .array(try a.sorted { x, y in
                    if case let .integer(c) = try callLambda(lambda, [x, y], scope, e) { return c < 0 }
                    return false
                })
            }
            return .array(a.sorted { x, y in
                switch (x, y) {
                case let (.string(p), .string(q)): return p < q
                default: return (numeric(x) ?? 0) < (numeric(y) ?? 0)
                }
            })
        case "reverse":
            switch arg(0) {
            case let .array(a): return .array(a.reversed())
            case let .string(s): return .string(String(s.reversed()))
            default: return arg(0)
            }
        case "member":
            guard case let .array(a) = arg(0) else { return .boolean(false) }
            if case let .array(b) = arg(1) { return .boolean(b.allSatisfy { x in a.contains { puppetEquals($0, x) } }) }
            return .boolean(a.contains { puppetEquals($0, arg(1)) })
        case "has_key":
            guard case let .hash(h) = arg(0) else { return .boolean(false) }
            return .boolean(h[arg(1)] != nil)
        case "dig":
            var cur = arg(0)
            for k in args.dropFirst() {
                switch cur {
                case let .hash(h): cur = h[k] ?? .undef
                case let .array(a): if case let .integer(i) = k, i >= 0, i < a.count { cur = a[i] } else { cur = .undef }
                default: return .undef
                }
            }
            return cur
        case "merge", "stdlib::merge":
            var out = OrderedHash()
            for a in args {
                if case let .hash(h) = a { for (k, v) in h.pairs { out[k] = v } }
                else if !a.isUndef, !(a.stringValue?.isEmpty ?? false) { throw error("merge(): unexpected argument type \(a.typeName), only expects hash arguments", e) }
            }
            return .hash(out)
        case "concat":
            return .array(args.flatMap { $0.arrayValue ?? [$0] })
        case "delete":
            switch arg(0) {
            case let .array(a): return .array(a.filter { x in !(arg(1).arrayValue ?? [arg(1)]).contains { puppetEquals($0, x) } })
            case var .hash(h): for k in arg(1).arrayValue ?? [arg(1)] { h[k] = nil }; return .hash(h)
            case let .string(s): return .string(s.replacingOccurrences(of: arg(1).interpolated, with: ""))
            default: return arg(0)
            }
        case "delete_undef_values":
            switch arg(0) {
            case let .array(a): return .array(a.filter { !$0.isUndef })
            case let .hash(h): return .hash(OrderedHash(h.pairs.filter { !$0.value.isUndef }.map { ($0.key, $0.value) }))
            default: return arg(0)
            }
        case "prefix", "suffix":
            let affix = args.count > 1 ? arg(1).interpolated : ""
            func apply(_ s: String) -> String { name == "prefix" ? affix + s : s + affix }
            switch arg(0) {
            case let .array(a): return .array(a.map { .string(apply($0.interpolated)) })
            case let .hash(h): return .hash(OrderedHash(h.pairs.map { (.string(apply($0.key.interpolated)), $0.value) }))
            default: return arg(0)
            }
        case "join_keys_to_values":
            guard case let .hash(h) = arg(0) else { throw error("join_keys_to_values() expects a Hash", e) }
            let sep = arg(1).interpolated
            return .array(h.pairs.flatMap { k, v -> [Value] in
                if case let .array(a) = v { return a.map { .string(k.interpolated + sep + $0.interpolated) } }
                return [.string(k.interpolated + sep + v.interpolated)]
            })
        case "any2array":
            if args.count > 1 { return .array(args) }
            switch arg(0) {
            case .array: return arg(0)
            case .undef: return .array([])
            case let .hash(h): return .array(h.pairs.flatMap { [$0.key, $0.value] })
            case let .string(s) where s.isEmpty: return .array([])
            default: return .array([arg(0)])
            }
        case "pick", "pick_default":
            for a in args {
                if a.isUndef { continue }
                if case let .string(s) = a, s.isEmpty { continue }
                if case .defaultValue = a { continue }
                return a
            }
            if name == "pick_default" { return args.last ?? .string("") }
            throw error("Evaluation Error: Error while evaluating a Function Call, pick(): must receive at least one non empty value", e)
        case "bool2str":
            guard case let .boolean(b) = arg(0) else { throw error("bool2str() expects a Boolean", e) }
            if args.count > 2 { return b ? arg(1) : arg(2) }
            return .string(b ? "true" : "false")
        case "str2bool":
            switch arg(0) {
            case let .boolean(b): return .boolean(b)
            case let .string(s): return .boolean(["1", "t", "y", "true", "yes"].contains(s.lowercased()))
            default: return .boolean(false)
            }
        case "abs":
            switch arg(0) { case let .integer(i): return .integer(abs(i)); case let .float(f): return .float(abs(f)); default: return arg(0) }
        case "min", "max":
            var best: Value?
            for a in args.flatMap({ $0.arrayValue ?? [$0] }) {
                guard let b = best else { best = a; continue }
                let c = (try? compare(a, b, name, e)) ?? 0
                if (name == "min" && c < 0) || (name == "max" && c > 0) { best = a }
            }
            return best ?? .undef
        case "range":
            guard case let .integer(lo) = arg(0), case let .integer(hi) = arg(1) else { throw error("range() expects integers", e) }
            return .array(lo <= hi ? (lo...hi).map { .integer($0) } : [])
        case "fact":
            var cur: Value = .hash(OrderedHash(options.facts.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value) }))
            for part in (try str(0)).split(separator: ".") {
                guard case let .hash(h) = cur else { return .undef }
                cur = h[.string(String(part))] ?? .undef
            }
            return cur
        case "getvar":
            // `getvar('facts.os.family')`: a variable, then a dotted path into its value.
            let path = try str(0)
            let dot = path.firstIndex(of: ".")
            let variable = (try? lookupVariable(String(path[..<(dot ?? path.endIndex)]), scope, e)) ?? .undef
            let found = dot.map { Compiler.navigate(variable, String(path[path.index(after: $0)...])) } ?? variable
            return found.isUndef && args.count > 1 ? arg(1) : found
        case "deprecation", "assert_private", "debug":
            return .undef
        case "ensure_resource", "ensure_resources", "ensure_packages", "stdlib::ensure_packages":
            return try ensureResource(name, args, scope, e)
        case "defined_with_params":
            guard case let .type(t) = arg(0), let ref = Value.type(t).referenceString,
                  let r = catalog.resource(ref: Compiler.canonicalRef(ref)) else { return .boolean(false) }
            if case let .hash(want) = arg(1) {
                return .boolean(want.pairs.allSatisfy { k, v in k.stringValue.flatMap { r.parameters[$0] }.map { puppetEquals($0, v) } ?? false })
            }
            return .boolean(true)
        case "fqdn_rand":
            // Puppet: Random.new(MD5([fqdn, max, seed].join(':')).hex).rand(max).
            guard case let .integer(maxv) = arg(0) else { throw error("fqdn_rand() expects an Integer", e) }
            guard maxv > 0, maxv <= 1 << 32 else { return .integer(0) }
            var fqdn = options.facts["networking"].flatMap { if case let .hash(h) = $0 { return h[.string("fqdn")]?.stringValue }; return nil }
                ?? options.facts["fqdn"]?.stringValue ?? options.certname
            if args.count > 2, arg(2).isTruthy { fqdn = fqdn.lowercased() }
            let key = [fqdn, String(maxv), args.count > 1 ? arg(1).interpolated : ""].joined(separator: ":")
            var random = RubyRandom(seedWords: RubyRandom.words(hex: Digest.md5Hex(Array(key.utf8))))
            return .integer(random.rand(maxv))
        case "to_json", "to_json_pretty":
            return .string(jsonText(arg(0)))
        case "validate_legacy", "validate_string", "validate_bool", "validate_array", "validate_hash", "validate_absolute_path", "validate_re", "validate_integer":
            return .undef
        case "is_string": return .boolean(arg(0).stringValue != nil)
        case "is_array": return .boolean(arg(0).arrayValue != nil)
        case "is_hash": if case .hash = arg(0) { return .boolean(true) }; return .boolean(false)
        case "is_bool": if case .boolean = arg(0) { return .boolean(true) }; return .boolean(false)
        case "next": throw NextSignal(value: arg(0))
        case "break": throw BreakSignal()
        case "compare":
            if case let .string(a) = arg(0), case let .string(b) = arg(1) {
                let ignoreCase = args.count < 3 || arg(2).isTruthy
                let x = ignoreCase ? a.lowercased() : a, y = ignoreCase ? b.lowercased() : b
                return .integer(x < y ? -1 : (x == y ? 0 : 1))
            }
            return .integer(try compare(arg(0), arg(1), "compare", e))
        case "round":
            switch arg(0) { case let .float(f): return .integer(Int(f.rounded(.toNearestOrAwayFromZero))); default: return arg(0) }
        case "ceiling", "floor":
            switch arg(0) { case let .float(f): return .integer(Int(name == "floor" ? f.rounded(.down) : f.rounded(.up))); default: return arg(0) }
        case "lest":
            return arg(0).isUndef ? try callLambda(lambda, [], scope, e) : arg(0)
        case "get":
            let cur = Compiler.navigate(arg(0), arg(1).stringValue ?? "")
            if cur.isUndef, args.count > 2 { return arg(2) }
            return cur
        case "shellquote":
            // Puppet's rules: bare when every byte is safe; else double quotes when nothing in it
            // is special there; else single quotes when it has none; else double quotes with
            // the specials escaped.
            func isSafe(_ c: UInt8) -> Bool {
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || "@%_+=:,./-".utf8.contains(c)
            }
            let dangerous = Set("!\"`$\\".utf8)
            return .string(args.flatMap { $0.arrayValue ?? [$0] }.map { a -> String in
                let s = a.interpolated
                if !s.isEmpty, s.utf8.allSatisfy(isSafe) { return s }
                if !s.utf8.contains(where: dangerous.contains) { return "\"" + s + "\"" }
                if !s.contains("'") { return "'" + s + "'" }
                var escaped: [UInt8] = [UInt8(ascii: "\"")]
                for c in s.utf8 {
                    if dangerous.contains(c) { escaped.append(UInt8(ascii: "\\")) }
                    escaped.append(c)
                }
                return String(decoding: escaped + [UInt8(ascii: "\"")], as: UTF8.self)
            }.joined(separator: " "))
        case "camelcase":
            return mapStrings(arg(0)) { $0.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined() }
        case "group_by":
            var out = OrderedHash()
            for x in arg(0).arrayValue ?? [] {
                let k = try callLambda(lambda, [x], scope, e)
                out[k] = .array((out[k]?.arrayValue ?? []) + [x])
            }
            return .hash(out)
        case "partition":
            var yes: [Value] = [], no: [Value] = []
            for x in arg(0).arrayValue ?? [] { if try callLambda(lambda, [x], scope, e).isTruthy { yes.append(x) } else { no.append(x) } }
            return .array([.array(yes), .array(no)])
        case "convert_to":
            guard case let .type(t) = arg(1) else { throw error("convert_to() expects a type", e) }
            return try newValue(t, [arg(0)] + Array(args.dropFirst(2)), e)
        case "return":
            throw ReturnSignal(value: arg(0))
        default:
            throw error("Evaluation Error: Unknown function: '\(name)'.", e)
        }
    }

    func ensureResource(_ name: String, _ args: [Value], _ scope: Scope, _ e: Expr) throws -> Value {
        var type = "package"
        var titles: [Value] = []
        var params = OrderedHash()
        switch name {
        case "ensure_resource":
            type = Compiler.normalize(args.first?.interpolated ?? "")
            titles = args.count > 1 ? (args[1].arrayValue ?? [args[1]]) : []
            if args.count > 2, case let .hash(h) = args[2] { params = h }
        case "ensure_resources":
            type = Compiler.normalize(args.first?.interpolated ?? "")
            if args.count > 1, case let .hash(h) = args[1] {
                for (t, p) in h.pairs {
                    if case let .hash(ph) = p { try ensureOne(type, t.interpolated, ph, scope, e) }
                }
            }
            return .undef
        default:
            switch args.first {
            case let .hash(h)?:
                for (t, p) in h.pairs { try ensureOne("package", t.interpolated, (p.hashContents ?? OrderedHash()), scope, e) }
                return .undef
            case let v?: titles = v.arrayValue ?? [v]
            case nil: break
            }
            if args.count > 1, case let .hash(h) = args[1] { params = h }
            if params[.string("ensure")] == nil { params[.string("ensure")] = .string("installed") }
        }
        for t in titles { try ensureOne(type, t.interpolated, params, scope, e) }
        return .undef
    }

    func ensureOne(_ type: String, _ title: String, _ params: OrderedHash, _ scope: Scope, _ e: Expr) throws {
        if catalog.resource(ref: Catalog.key(Naming.typeName(type), title)) != nil { return }
        let ops = params.pairs.compactMap { k, v in k.stringValue.map { EvaluatedAttribute(name: $0, value: v, append: false, at: e) } }
        try declareResource(type, title, ops, form: .regular, scope: scope, at: e)
    }

    func regexSplit(_ s: String, _ re: PRegex) throws -> [Value] {
        var out: [Value] = []
        var rest = Substring(s)
        while !rest.isEmpty, let m = try re.regex.firstMatch(in: rest) {
            if m.range.isEmpty {
                // An empty match splits into characters.
                out.append(.string(String(rest.first!)))
                rest = rest.dropFirst()
                continue
            }
            out.append(.string(String(rest[..<m.range.lowerBound])))
            rest = rest[m.range.upperBound...]
        }
        out.append(.string(String(rest)))
        // Ruby drops trailing empty strings.
        while let last = out.last, case let .string(t) = last, t.isEmpty, out.count > 0 { out.removeLast() }
        return out
    }

    func versionCompare(_ a: String, _ b: String) -> Int {
        // Puppet's versioncmp: split into digit and non-digit runs, compare runs.
        func parts(_ s: String) -> [String] {
            var out: [String] = []
            var cur = ""
            var curDigit: Bool?
            for c in s {
                if c == "." || c == "-" { if !cur.isEmpty { out.append(cur); cur = ""; curDigit = nil }; continue }
                let d = c.isNumber
                if curDigit != nil && curDigit != d { out.append(cur); cur = "" }
                cur.append(c)
                curDigit = d
            }
            if !cur.isEmpty { out.append(cur) }
            return out
        }
        if a == b { return 0 }
        let pa = parts(a), pb = parts(b)
        for i in 0..<max(pa.count, pb.count) {
            guard i < pa.count else { return -1 }
            guard i < pb.count else { return 1 }
            let x = pa[i], y = pb[i]
            if let ix = Int(x), let iy = Int(y) {
                if ix != iy { return ix < iy ? -1 : 1 }
                if x.hasPrefix("0") || y.hasPrefix("0") { if x != y { return x < y ? -1 : 1 } }
            } else if x != y {
                return x < y ? -1 : 1
            }
        }
        return a < b ? -1 : 1
    }

    func shellEscape(_ s: String) -> String {
        if s.isEmpty { return "''" }
        var out = ""
        for c in s {
            if c.isLetter || c.isNumber || "_-.,:+/@".contains(c) { out.append(c) } else if c == "\n" { out += "'\n'" } else { out += "\\" + String(c) }
        }
        return out
    }

    func sprintf(_ format: String, _ args: [Value], _ e: Expr) throws -> String {
        var out = ""
        var i = format.startIndex
        var argIndex = 0
        func next() -> Value { defer { argIndex += 1 }; return argIndex < args.count ? args[argIndex] : .undef }
        while i < format.endIndex {
            let c = format[i]
            guard c == "%" else { out.append(c); i = format.index(after: i); continue }
            i = format.index(after: i)
            guard i < format.endIndex else { out.append("%"); break }
            var spec = ""
            while i < format.endIndex, "-+ 0#.123456789*".contains(format[i]) { spec.append(format[i]); i = format.index(after: i) }
            guard i < format.endIndex else { break }
            let conv = format[i]
            i = format.index(after: i)
            var width = 0, precision: Int?, leftAlign = false, zeroPad = false, plus = false
            var parts = spec.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count > 1 { precision = Int(parts[1]) ?? 0 }
            var flags = parts[0]
            while let f = flags.first, "-+ 0#".contains(f) {
                if f == "-" { leftAlign = true }
                if f == "0" { zeroPad = true }
                if f == "+" { plus = true }
                flags.removeFirst()
            }
            if flags == "*" { if case let .integer(w) = next() { width = w } } else { width = Int(flags) ?? 0 }
            parts = []
            var text: String
            switch conv {
            case "%": text = "%"
            case "s": text = next().interpolated; if let p = precision { text = String(text.prefix(p)) }
            case "p": text = next().puppetRepr
            case "d", "i":
                let v = next()
                let n: Int
                switch v { case let .integer(x): n = x; case let .float(f): n = Int(f); case let .string(s): n = Int(s) ?? 0; default: n = 0 }
                text = String(n)
                if plus && n >= 0 { text = "+" + text }
            case "x", "X", "o", "b":
                let v = next()
                let n: Int
                switch v { case let .integer(x): n = x; case let .string(s): n = Int(s) ?? 0; default: n = 0 }
                text = String(n, radix: conv == "o" ? 8 : (conv == "b" ? 2 : 16), uppercase: conv == "X")
            case "f", "e", "g":
                let v = next()
                let f: Double
                switch v { case let .integer(x): f = Double(x); case let .float(y): f = y; case let .string(s): f = Double(s) ?? 0; default: f = 0 }
                text = formatFloat(f, conv, precision ?? 6)
            default:
                throw error("Evaluation Error: sprintf(): unsupported conversion '%\(conv)'", e)
            }
            if text.count < width {
                let pad = String(repeating: zeroPad && !leftAlign && conv != "s" ? "0" : " ", count: width - text.count)
                if leftAlign { text += pad } else if zeroPad && text.hasPrefix("-") { text = "-" + pad + text.dropFirst() } else { text = pad + text }
            }
            out += text
        }
        return out
    }

    func formatFloat(_ f: Double, _ conv: Character, _ precision: Int) -> String {
        if conv == "f" {
            let scale = pow10(precision)
            let rounded = (f * scale).rounded() / scale
            var s = String(Int64(rounded.rounded(.towardZero)).magnitude)
            if precision > 0 {
                var frac = String(Int64((abs(rounded) - Double(Int64(abs(rounded)))) * scale + 0.5))
                while frac.count < precision { frac = "0" + frac }
                s += "." + frac.prefix(precision)
            }
            return (rounded < 0 ? "-" : "") + s
        }
        return Value.floatString(f)
    }

    func pow10(_ n: Int) -> Double { var r = 1.0; for _ in 0..<max(0, n) { r *= 10 }; return r }

    func jsonText(_ v: Value) -> String {
        switch v {
        case .undef: return "null"
        case let .boolean(b): return b ? "true" : "false"
        case let .integer(i): return String(i)
        case let .float(f): return Value.floatString(f)
        case let .string(s): return JSONText.quote(s)
        case let .array(a): return "[" + a.map(jsonText).joined(separator: ",") + "]"
        case let .hash(h): return "{" + h.pairs.map { JSONText.quote($0.key.interpolated) + ":" + jsonText($0.value) }.joined(separator: ",") + "}"
        default: return JSONText.quote(v.interpolated)
        }
    }

    /// `a.b.0`: hash keys and array indexes, undef where the path leads nowhere (get, getvar).
    static func navigate(_ value: Value, _ path: String) -> Value {
        var cur = value
        for part in path.split(separator: ".") {
            switch cur {
            case let .hash(h): cur = h[.string(String(part))] ?? .undef
            case let .array(a): if let i = Int(part), i >= 0, i < a.count { cur = a[i] } else { cur = .undef }
            default: cur = .undef
            }
        }
        return cur
    }

    func digest(_ name: String, _ s: String, _ e: Expr) throws -> String {
        switch name {
        case "sha1": return Digest.sha1Hex(Array(s.utf8))
        case "md5": return Digest.md5Hex(Array(s.utf8))
        case "sha256": return Digest.sha256Hex(Array(s.utf8))
        default: throw error("Evaluation Error: Unknown function: '\(name)'.", e)
        }
    }
}

func regexReplace(_ s: String, _ re: PRegex, _ replacement: String, global: Bool) -> String {
    var out = ""
    var rest = Substring(s)
    while let m = try? re.regex.firstMatch(in: rest) {
        out += rest[..<m.range.lowerBound]
        // \0..\9 in the replacement refer to groups.
        var r = ""
        var it = replacement.makeIterator()
        while let c = it.next() {
            if c == "\\", let d = it.next() {
                if let n = d.wholeNumberValue, n < m.output.count { r += m.output[n].substring.map(String.init) ?? "" } else { r.append(d) }
            } else { r.append(c) }
        }
        out += r
        if m.range.isEmpty {
            if m.range.upperBound == rest.endIndex { rest = rest[rest.endIndex...]; break }
            out.append(rest[m.range.upperBound])
            rest = rest[rest.index(after: m.range.upperBound)...]
        } else {
            rest = rest[m.range.upperBound...]
        }
        if !global { break }
    }
    return out + rest
}

extension Value {
    var hashContents: OrderedHash? { if case let .hash(h) = self { return h }; return nil }
}

/// SHA-1, for `sha1()` (a digest of a string; not for security).
