import Graph
import PuppetParser
import Synchronization

/// A compiled catalog: resources with their parameters, containment and relationships — the
/// shape `../shared/tools/puppet-catalog-json.rb` prints for Puppet 7.
public final class Catalog {
    public let node: String
    public private(set) var resources: [CatalogResource] = []
    private var index = ByteKeyedTable<CatalogResource>()
    /// Containment (container → contained), in the order edges were added.
    private(set) var containmentEdges: [(from: CatalogResource, to: CatalogResource)] = []
    /// Containment as references.
    public var containment: [(from: String, to: String)] { containmentEdges.map { ($0.from.ref, $0.to.ref) } }

    public init(node: String) { self.node = node }

    /// `Type[title]`, made in one allocation (every resource and reference needs one).
    public static func key(_ type: String, _ title: String) -> String {
        let t = type.utf8.count, n = t + title.utf8.count + 2
        guard n > 15 else { return type + "[" + title + "]" }  // small strings need no storage
        return String(unsafeUninitializedCapacity: n) { out in
            var i = 0
            func copy(_ s: String) {
                var s = s
                s.withUTF8 { p in
                    guard let base = p.baseAddress else { return }
                    UnsafeMutableRawPointer(out.baseAddress! + i).copyMemory(from: base, byteCount: p.count)
                    i += p.count
                }
            }
            copy(type)
            out[i] = UInt8(ascii: "["); i += 1
            copy(title)
            out[i] = UInt8(ascii: "]"); i += 1
            return i
        }
    }

    public func resource(_ type: String, _ title: String) -> CatalogResource? {
        index[Catalog.key(type, title)]
    }

    public func resource(ref: String) -> CatalogResource? { index[ref] }

    /// The resource `type[title]` and the reference it is found under (`Catalog.key(type,
    /// title)`, the very string the catalog holds), without making that string.
    func resourceAndKey(_ type: String, _ title: String) -> (key: String, resource: CatalogResource)? {
        index.value(type: type, title: title).map { ($0.key, $0.value) }
    }

    /// Room for about `n` resources (a large manifest's index would otherwise be rehashed as
    /// it doubles).
    func reserve(_ n: Int) {
        resources.reserveCapacity(n)
        index.reserveCapacity(n)
    }

    func add(_ r: CatalogResource) {
        r.serial = resources.count
        resources.append(r)
        index[r.ref] = r
        if let alt = r.alternateKey { index[alt] = r }
    }

    func contain(_ container: CatalogResource, _ child: CatalogResource) {
        containmentEdges.append((container, child))
        containmentSerials.append((Int32(container.serial), Int32(child.serial)))
    }

    /// `containmentEdges` as the two resources' serials (both are in the catalog when one is
    /// made to contain the other): what the cycle check and the mapper read, on threads that
    /// would otherwise touch, and so take from the other core's cache, 20k resource objects.
    private(set) var containmentSerials: [(from: Int32, to: Int32)] = []

    /// Relationships from the four relationship metaparameters, normalised so that `from` is
    /// applied before `to` (the oracle's `relationships`), sorted; set by the compiler's last
    /// step (`Compiler.finish`), empty before. Sorted when first read: the graph needs them
    /// in no order (`collectedRelationships`), only the catalog's JSON does.
    public var relationships: [Relationship] { sortedRelationships.relationships }

    /// The relationships with the serial numbers of their two resources, sorted.
    var sortedRelationships: (relationships: [Relationship], serials: [(from: Int, to: Int)]) {
        sorted.withLock { sorted in
            if let sorted { return sorted }
            let (rels, serials) = collectedRelationships
            // By bytes (Swift's `<` on strings normalises Unicode first, which costs more).
            let order = indicesSortedByUTF8(count: rels.count, parts: 3) { i, part in
                part == 0 ? rels[i].from : part == 1 ? rels[i].to : rels[i].via
            }
            let done = (order.map { rels[$0] }, order.map { serials[$0] })
            sorted = done
            return done
        }
    }
    private let sorted = Mutex<(relationships: [Relationship], serials: [(from: Int, to: Int)])?>(nil)

    /// The relationships in the order the compiler collected them (resources in declaration
    /// order, each one's parameters in the order set), with their resources' serial numbers.
    var collectedRelationships: (relationships: [Relationship], serials: [(from: Int, to: Int)]) = ([], []) {
        didSet { sorted.withLock { $0 = nil } }
    }

    /// A catalog this large is worth splitting work for between the two cores: writing or
    /// mapping its resources while the compiler checks its relationships.
    public var isLarge: Bool { resources.count >= 4096 }

    /// The resources as the catalog holds them after compilation (unrealized virtual resources
    /// are not part of it; exported ones are, flagged).
    public var finalResources: [CatalogResource] {
        resources.filter { !$0.virtual || $0.exported }
    }
}

public struct Relationship: Hashable {
    public let from: String
    public let to: String
    public let refresh: Bool
    public let via: String
}

/// One resource of the catalog (also classes, define instances, nodes and stages).
public final class CatalogResource {
    public let type: String
    public let title: String
    /// In the order they were set (Puppet checks relationships in that order; messages too).
    public var parameters = ParamList<Value>()
    public var tags = TagSet()
    public var exported: Bool
    public var virtual: Bool
    /// An instance of a defined type (a container in the relationship graph).
    public internal(set) var isDefineInstance = false
    public let file: String?
    /// The line, found when asked (the catalog's JSON asks, in its writer's threads; a graph
    /// does not): from `lineOffset` in `sourceFile`, or as given.
    public var line: Int? {
        if lineOffset >= 0, let sourceFile { return sourceFile.line(of: lineOffset) }
        return givenLine
    }
    private let givenLine: Int?
    /// Where the line is, in `sourceFile` (-1: the line is `givenLine`).
    var lineOffset: Int32 = -1
    /// For define instances and classes: evaluated yet?
    var evaluated = false
    /// The scope the resource was declared in (for defaults, which Puppet applies at the end).
    var scope: Scope?
    /// The resource that contains this one (class, define instance, node). Unowned, not weak:
    /// the catalog holds both for as long as either is used, and an object that is weakly
    /// referenced gets a side table through which every retain and release of it then goes —
    /// Class[main] contains every resource of a large manifest, and is retained for each.
    unowned var container: CatalogResource?
    /// Where the resource expression was (for errors).
    var sourceOffset: Int32 = 0
    /// (Strong: a file holds no resources, and a weak reference gave it a side table.)
    var sourceFile: SourceFile?
    /// Attributes set by an override of a subclass, which may replace values.
    var overriddenAttributes: Set<String> = []
    var alternateKey: String?
    /// Its place in `Catalog.resources` (a dense integer id for graph algorithms).
    var serial = 0
    /// Where each attribute given in the resource expression was (Puppet reports a bad
    /// relationship at its parameter).
    /// (Few and rarely read: a list, not a dictionary per resource.)
    /// (The first in place: most resources have one relationship attribute, and a list of
    /// one was an allocation per resource.)
    private var firstAttributeOffset: (name: String, offset: Int32)?
    private var moreAttributeOffsets: [(name: String, offset: Int32)] = []

    func noteAttributeOffset(_ name: String, _ offset: Int32) {
        if firstAttributeOffset == nil { firstAttributeOffset = (name, offset) } else { moreAttributeOffsets.append((name, offset)) }
    }

    func attributeOffset(_ name: String) -> Int32? {
        if let first = firstAttributeOffset, first.name == name { return first.offset }
        return moreAttributeOffsets.first { $0.name == name }?.offset
    }

    /// `Type[title]`, made once: it keys every index and relationship.
    public let ref: String

    /// `ref`: `Catalog.key(type, title)` when the caller has it already.
    init(type: String, title: String, exported: Bool, virtual: Bool, file: String?, line: Int?, ref: String? = nil) {
        self.type = type
        self.title = title
        self.ref = ref ?? Catalog.key(type, title)
        self.exported = exported
        self.virtual = virtual
        self.file = file
        self.givenLine = line
    }

    public func set(_ name: String, _ value: Value) {
        parameters.updateValue(value, forKey: name)
    }

}

extension Catalog {
    /// The reference of a relationship value that is one string or one reference (the usual
    /// case, which needs no list); nil for anything else (`flattenRefs` then).
    static func singleRef(_ v: Value) -> String? {
        switch v {
        case let .string(s): return s
        case .type: return v.referenceString
        default: return nil
        }
    }

    static func flattenRefs(_ v: Value) -> [String] {
        switch v {
        case let .array(items): return items.flatMap(flattenRefs)
        case .undef: return []
        case let .string(s): return [s]
        default: return v.referenceString.map { [$0] } ?? []
        }
    }
}

/// A resource's tags: a handful of lowercase strings, kept unique and sorted by UTF-8 bytes
/// (the order the catalog prints them in). An array, not a hash set: every resource starts
/// from its container's tags and adds two or three of its own, and copying a short array and
/// inserting into it costs less than copying and growing a set and hashing every tag.
public struct TagSet: Sequence, ExpressibleByArrayLiteral, Equatable {
    public private(set) var sorted: [String] = []

    public init() {}
    public init(arrayLiteral elements: String...) { for e in elements { insert(e) } }

    public var count: Int { sorted.count }
    public var isEmpty: Bool { sorted.isEmpty }

    /// Where `tag` is or would go.
    private func position(_ tag: String) -> (index: Int, found: Bool) {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = utf8Compare(sorted[mid], tag)
            if c == 0 { return (mid, true) }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    public func contains(_ tag: String) -> Bool { position(tag).found }

    @discardableResult
    public mutating func insert(_ tag: String) -> Bool {
        let (i, found) = position(tag)
        guard !found else { return false }
        // Appended and moved into place (Array.insert(_:at:) takes a slow general path).
        sorted.append(tag)
        var j = sorted.count - 1
        while j > i { sorted.swapAt(j, j - 1); j -= 1 }
        return true
    }

    public mutating func remove(_ tag: String) {
        let (i, found) = position(tag)
        if found { sorted.remove(at: i) }
    }

    public func makeIterator() -> IndexingIterator<[String]> { sorted.makeIterator() }
}
