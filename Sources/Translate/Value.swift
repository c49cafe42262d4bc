import Synchronization
import Graph
import PuppetParser

/// A Puppet runtime value (the data types of Puppet's type system that manifests produce).
public enum Value: Hashable, Sendable {
    case undef
    case defaultValue
    case boolean(Bool)
    case integer(Int)
    case float(Double)
    case string(String)
    case regex(String)
    case array([Value])
    case hash(OrderedHash)
    /// A type: data types (`Integer[1,2]`), resource references (`File['/x']`), `Class['a']`.
    case type(PType)
    /// `Sensitive(x)`: printed redacted.
    case sensitive(Box)
    /// A point in time, nanoseconds since 1970-01-01 UTC (Time.swift).
    case timestamp(Int)
    /// A duration in nanoseconds.
    case timespan(Int)

    public final class Box: Hashable, @unchecked Sendable {
        public let value: Value
        public init(_ value: Value) { self.value = value }
        public static func == (a: Box, b: Box) -> Bool { a.value == b.value }
        public func hash(into h: inout Hasher) { h.combine(value) }
    }

    /// Puppet truthiness: only `false` and `undef` are false (`''` is true).
    public var isTruthy: Bool {
        switch self {
        case .undef: return false
        case let .boolean(b): return b
        default: return true
        }
    }

    public var isUndef: Bool { if case .undef = self { return true }; return false }

    public var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    public var arrayValue: [Value]? { if case let .array(a) = self { return a }; return nil }
}

/// A hash that keeps insertion order, as Puppet's do.
public struct OrderedHash: Hashable, Sendable {
    public private(set) var keys: [Value] = []
    private var storage: [Value: Value] = [:]

    public init() {}
    public init(_ pairs: [(Value, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: Value) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var pairs: [(key: Value, value: Value)] { keys.map { ($0, storage[$0]!) } }
    public var values: [Value] { keys.map { storage[$0]! } }

    public static func == (a: OrderedHash, b: OrderedHash) -> Bool { a.storage == b.storage && a.keys == b.keys }
    public func hash(into h: inout Hasher) { h.combine(keys); for k in keys { h.combine(storage[k]) } }
}

/// A type value: a name and its parameters, e.g. `Integer[1, 10]`, `Optional[String]`,
/// `File['/tmp/x']` (a resource reference), `Class['apache']`.
public struct PType: Hashable, Sendable, CustomStringConvertible {
    /// Capitalised as Puppet prints it: `Integer`, `File`, `Apache::Vhost`, `Class`.
    public var name: String
    public var parameters: [Value]

    public init(_ name: String, _ parameters: [Value] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// The data types this evaluator knows; any other name is a resource type.
    public static let dataTypes: Set<String> = [
        "Any", "Undef", "Default", "Boolean", "Integer", "Float", "Numeric", "String", "Enum", "Pattern",
        "Regexp", "Array", "Hash", "Tuple", "Struct", "Optional", "Variant", "NotUndef", "Scalar",
        "ScalarData", "Data", "RichData", "Collection", "Type", "Callable", "Sensitive", "Iterable",
        "Iterator", "Runtime", "Object", "Resource", "Class", "Catalogentry", "CatalogEntry", "Timespan",
        "Timestamp", "SemVer", "SemVerRange", "Binary", "Deferred", "Error", "Init", "URI",
    ]

    public var isResourceType: Bool {
        // The types most references name, without hashing (every relationship has one).
        PType.isCanonicalResourceTypeName(name) || !PType.dataTypes.contains(name)
    }

    /// Built-in resource types most references name, spelt as catalogs spell them (`File`):
    /// a reference to one needs no canonicalising.
    static func isCanonicalResourceTypeName(_ n: String) -> Bool {
        switch Named(n) {
        case "File", "Exec", "Package", "Service", "Notify", "User", "Group", "Anchor": return true
        default: return false
        }
    }

    static let dataTypeByLowercase: [String: String] = Dictionary(dataTypes.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, b in a < b ? a : b })

    /// `File['x']` → ("File", "x"); `Class['a']` → ("Class", "A"-cased title as written).
    public var resourceReference: (type: String, title: String)? {
        guard isResourceType || name == "Class", parameters.count == 1, case let .string(t) = parameters[0] else { return nil }
        return (name, t)
    }

    public var description: String {
        if parameters.isEmpty { return name }
        // Class titles print bare: Class[apache].
        let shown = parameters.map { name == "Class" ? $0.interpolated : $0.puppetRepr }
        return name + "[" + shown.joined(separator: ", ") + "]"
    }
}

extension Value {
    /// `Type[title]` string of a resource reference value, as catalogs print it: `File[/tmp/x]`.
    public var referenceString: String? {
        guard case let .type(t) = self, let (type, title) = t.resourceReference else { return nil }
        return Catalog.key(type, type == "Class" ? Naming.className(title) : title)
    }

    /// The value as string interpolation and `String(x)` produce it: undef → '', arrays as
    /// `[1, 2]`, hashes as `{a => 1}`, strings inside collections quoted.
    public var interpolated: String {
        switch self {
        case .undef: return ""
        case .defaultValue: return "default"
        case let .boolean(b): return b ? "true" : "false"
        case let .integer(i): return String(i)
        case let .float(f): return Value.floatString(f)
        case let .string(s): return s
        case let .regex(r): return "/\(r)/"
        // Interpolated collections show their elements interpolated too: [1, b, , [2, c]].
        case let .array(items): return "[" + items.map(\.interpolated).joined(separator: ", ") + "]"
        case let .hash(h): return "{" + h.pairs.map { "\($0.key.interpolated) => \($0.value.interpolated)" }.joined(separator: ", ") + "}"
        case let .type(t): return t.description
        case .sensitive: return "Sensitive [value redacted]"
        case let .timestamp(t): return PuppetTime.timestampString(t)
        case let .timespan(t): return PuppetTime.timespanString(t)
        }
    }

    /// Puppet's `%p` form: strings in single quotes (double when they contain a quote or escapes).
    public var puppetRepr: String {
        switch self {
        case .undef: return "undef"
        case let .string(s): return Value.quote(s)
        case let .array(items): return "[" + items.map(\.puppetRepr).joined(separator: ", ") + "]"
        case let .hash(h): return "{" + h.pairs.map { "\($0.key.puppetRepr) => \($0.value.puppetRepr)" }.joined(separator: ", ") + "}"
        default: return interpolated
        }
    }

    static func quote(_ s: String) -> String {
        if !s.contains("'") && !s.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "'\(s)'" }
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "$": out += "\\$"
            default:
                if ch.value < 0x20 { out += "\\u{" + String(ch.value, radix: 16) + "}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    /// Ruby's Float#to_s, which Puppet uses to print floats (the dumper's implementation).
    static func floatString(_ f: Double) -> String { Dumper.rubyFloat(f) }

    /// The Puppet type name of a value, for messages (`String`, `Integer`, `Array`, ...).
    public var typeName: String {
        switch self {
        case .undef: return "Undef"
        case .defaultValue: return "Default"
        case .boolean: return "Boolean"
        case .integer: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .regex: return "Regexp"
        case .array: return "Array"
        case .hash: return "Hash"
        case let .type(t): return "Type[\(t.name)]"
        case .sensitive: return "Sensitive"
        case .timestamp: return "Timestamp"
        case .timespan: return "Timespan"
        }
    }
}

/// Puppet's naming rules for classes and resource types.
public enum Naming {
    /// `apache::vhost` → `Apache::Vhost` (how references and catalog titles print).
    public static func capitalizeSegments(_ name: String) -> String {
        var n = name
        if n.hasPrefix("::") { n.removeFirst(2) }
        return n.split(separator: ":", omittingEmptySubsequences: true).map { seg -> String in
            guard let f = seg.first else { return "" }
            return f.uppercased() + seg.dropFirst()
        }.joined(separator: "::")
    }

    /// Class titles in the catalog: `main` stays lowercase, others are capitalised.
    public static func className(_ name: String) -> String {
        let n = name.hasPrefix("::") ? String(name.dropFirst(2)) : name
        return n.lowercased() == "main" ? "main" : capitalizeSegments(n.lowercased())
    }

    /// A resource type's canonical (capitalised) name (cached: a few names are asked for often;
    /// locked: `diff` compiles two catalogs at once).
    public static func typeName(_ name: String) -> String {
        if let cached = typeNameCache.withLock({ $0[name] }) { return cached }
        let n = capitalizeSegments(name.lowercased())
        typeNameCache.withLock { $0[name] = n }
        return n
    }

    static let typeNameCache = Mutex<[String: String]>([:])
}

extension String {
    /// `lowercased()`, without a new string when there is nothing to lower (ASCII with no
    /// capitals: most titles and names).
    var lowercasedIfNeeded: String {
        for c in utf8 where c >= 0x80 || (c >= 65 && c <= 90) { return lowercased() }
        return self
    }
}

extension StringProtocol {
    /// `contains("::")` without the general substring search (this is on hot paths).
    var containsDoubleColon: Bool {
        var previousColon = false
        for b in utf8 {
            if b == UInt8(ascii: ":") {
                if previousColon { return true }
                previousColon = true
            } else {
                previousColon = false
            }
        }
        return false
    }
}
