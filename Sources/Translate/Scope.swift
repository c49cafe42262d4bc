/// A variable scope. Puppet 4+ looks variables up lexically (local → inherited class → node →
/// top) but resource defaults dynamically (through the scopes that declared a class or define),
/// so a scope has both parents.
final class Scope {
    enum Kind: Equatable {
        case top, node, hostClass(String), define(String), local
    }

    let kind: Kind
    /// Lexical parent: where unqualified variables are looked up next.
    let parent: Scope?
    /// The scope that declared this class or define instance (resource defaults flow from it).
    let dynamicParent: Scope?
    var variables: [String: Value] = [:]
    /// Resource defaults declared here: lowercase type → attribute → (value, append).
    var defaults: [String: [String: (value: Value, append: Bool)]] = [:]
    /// The container of resources declared in this scope (Class[main], a class, a define instance, a node).
    /// Unowned: the catalog owns resources, and resources own the scope they were declared in
    /// (and weak would give every container a side table: see CatalogResource.container).
    unowned var container: CatalogResource?

    init(kind: Kind, parent: Scope?, dynamicParent: Scope?, container: CatalogResource?) {
        self.kind = kind
        self.parent = parent
        self.dynamicParent = dynamicParent
        self.container = container
    }

    /// A child scope for a lambda or other local block: same container, lexical parent `self`.
    func local() -> Scope {
        Scope(kind: .local, parent: self, dynamicParent: self, container: container)
    }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.variables[name] { return v }
            s = cur.parent
        }
        return nil
    }

    /// Whether `name` is set in this scope itself (assign-once applies per scope).
    func isLocallySet(_ name: String) -> Bool { variables[name] != nil }

    /// Resource defaults for a type, nearest scope first, through the dynamic chain.
    func defaults(for type: String) -> [(String, Value, Bool)] {
        var out: [(String, Value, Bool)] = []
        var seen = Set<String>()
        var s: Scope? = self
        while let cur = s {
            if !cur.defaults.isEmpty, let d = cur.defaults[type] {
                for (attr, entry) in d.sorted(by: { $0.key < $1.key }) where !seen.contains(attr) {
                    seen.insert(attr)
                    out.append((attr, entry.value, entry.append))
                }
            }
            s = cur.dynamicParent ?? cur.parent
        }
        return out
    }
}
