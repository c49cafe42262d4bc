import Graph
import PuppetParser

/// An error the user's manifest caused, at a position of one of its files.
public struct CompileError: Error, CustomStringConvertible {
    public let message: String
    public let file: SourceFile?
    public let offset: Int32?

    public init(_ message: String, file: SourceFile? = nil, offset: Int32? = nil) {
        self.message = message
        self.file = file
        self.offset = offset
    }

    /// `path:line:col: error: message`, the source line and a caret (or just the message).
    public var description: String {
        guard let file, let offset else { return "error: \(message)" }
        return Diagnostic(at: offset, in: file, message).rendered()
    }

    public var location: SourceLocation? {
        guard let file, let offset else { return nil }
        return file.location(of: offset)
    }
}

/// A class, define or function definition and the file it came from.
struct Definition {
    let name: String
    let expr: Expr
    let file: SourceFile
    var parameters: [Parameter] {
        switch expr.kind {
        case let .classDefinition(_, _, p, _), let .defineDefinition(_, p, _), let .functionDefinition(_, p, _, _): return p
        default: return []
        }
    }
    var body: Expr? {
        switch expr.kind {
        case let .classDefinition(_, _, _, b), let .defineDefinition(_, _, b), let .functionDefinition(_, _, _, b): return b
        default: return nil
        }
    }
    var parent: String? {
        if case let .classDefinition(_, parent, _, _) = expr.kind { return parent }
        return nil
    }
}

/// Compiles parsed manifests into a catalog the way Puppet 7's compiler does: main code, then
/// the node definition, then defines and collectors until nothing changes, then overrides,
/// resource defaults and relationships.
public final class Compiler {
    public struct Options {
        public var certname: String
        public var facts: [String: Value]
        public var modulePath: [String]
        /// Collect this catalog's own exported resources with `<<| |>>` (a single-node PuppetDB).
        public var storeconfigs: Bool
        /// Unknown variables are errors instead of undef.
        public var strict: Bool
        public var environment: String

        public init(certname: String, facts: [String: Value], modulePath: [String] = [], storeconfigs: Bool = false,
                    strict: Bool = false, environment: String = "production") {
            self.certname = certname
            self.facts = facts
            self.modulePath = modulePath
            self.storeconfigs = storeconfigs
            self.strict = strict
            self.environment = environment
        }
    }

    let options: Options
    public let catalog: Catalog
    let topScope: Scope
    let loader: ModuleLoader
    let mainFile: SourceFile

    var classes: [String: Definition] = [:]
    var defines: [String: Definition] = [:]
    /// Classes and defines `register` added whose parameter types are not checked yet
    /// (`checkParameterTypes`).
    var uncheckedDefinitions: [Definition] = []
    var functions: [String: Definition] = [:]
    var typeAliases: [String: (Expr, SourceFile)] = [:]
    var nodes: [(matches: [Expr], body: Expr?, file: SourceFile, expr: Expr)] = []
    /// compile(streaming:): the main manifest as it is parsed, and how many of its top-level
    /// statements are registered (Int.max once all of them are).
    var streamingFeed: StatementFeed?
    var registeredMainStatements = 0
    var mainManifestRegistered: Bool { registeredMainStatements == .max }
    /// A lookup had to wait for the end of the parse (what streaming saves is then lost).
    var waitedForWholeMainManifest = false

    /// Evaluated classes: lowercase name → scope.
    var classScopes: [String: Scope] = [:]
    var pendingDefines: [(resource: CatalogResource, definition: Definition, arguments: [String: Value], declaredIn: Scope)] = []
    var collectors: [Collector] = []
    var pendingOverrides: [Override] = []
    var pendingRelationships: [PendingRelationship] = []
    var realizeRequests: [(ref: Value, file: SourceFile, offset: Int32)] = []
    /// `$0`, `$1`, … of the innermost successful match, per nesting of conditionals.
    var matchStack: [[Value]?] = [nil]
    /// `File`, `Service`, ...: references to built-in resource types, evaluated once each
    /// (every `require => File[...]` names one).
    /// (Keyed by bytes: a `Dictionary`'s SipHash was ~335 instructions a lookup, and every
    /// relationship's `File[…]` asks.)
    var builtinTypeReferences = ByteKeyedTable<Value>()
    /// The tags a container and a type name give a resource, for the last few pairs seen
    /// (`tagsFromContainer(_:_:)`).
    var typeTagCache: [(container: CatalogResource?, containerTags: TagSet, typeName: String, tags: TagSet)] = []
    /// The file whose code is being evaluated (for positions).
    var currentFile: SourceFile
    public private(set) var warnings: [String] = []
    /// Output buffers of EPP templates being rendered.
    var eppStack: [(chunks: [EPPChunk], output: String)] = []
    /// Virtual define instances: evaluated when realized.
    var deferredDefines: [String: (Definition, [String: Value], Scope)] = [:]
    let mainStage: CatalogResource
    let mainClass: CatalogResource
    var callDepth = 0
    /// Called once the catalog's resources, parameters and containment are final — before the
    /// relationships are collected and checked, which only read them (and may still fail): a
    /// command can start writing its output on the other core meanwhile.
    public var whenResourcesFinal: ((Catalog) -> Void)?

    /// Every file the compilation read: the main manifest, autoloaded manifests, files and
    /// templates (what `run` watches to rebuild the graph).
    public var loadedFiles: [String] { [mainFile.path] + loader.loaded.sorted() }

    public init(options: Options, mainFile: SourceFile) {
        self.options = options
        self.catalog = Catalog(node: options.certname)
        self.loader = ModuleLoader(modulePath: options.modulePath)
        self.currentFile = mainFile
        self.mainFile = mainFile
        mainStage = CatalogResource(type: "Stage", title: "main", exported: false, virtual: false, file: nil, line: nil)
        mainStage.tags = ["stage"]
        mainClass = CatalogResource(type: "Class", title: "main", exported: false, virtual: false, file: nil, line: nil)
        mainClass.tags = ["class"]
        mainClass.set("name", .string("main"))
        mainClass.evaluated = true
        topScope = Scope(kind: .top, parent: nil, dynamicParent: nil, container: mainClass)
        catalog.add(mainStage)
        catalog.add(mainClass)
        catalog.contain(mainStage, mainClass)
        classScopes["main"] = topScope
        classScopes[""] = topScope
        setFacts()
    }

    func setFacts() {
        for (k, v) in options.facts { topScope.variables[k] = v }
        topScope.variables["facts"] = .hash(OrderedHash(options.facts.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value) }))
        let domain = options.certname.split(separator: ".").dropFirst().joined(separator: ".")
        // As `puppet apply` (and the oracle) set it up: no certificate, so no certname.
        _ = domain
        topScope.variables["trusted"] = .hash(OrderedHash([
            (.string("authenticated"), .string("local")),
            (.string("certname"), .undef),
            (.string("extensions"), .hash(OrderedHash())),
            (.string("hostname"), .undef),
            (.string("domain"), .undef),
            (.string("external"), .hash(OrderedHash())),
        ]))
        topScope.variables["environment"] = .string(options.environment)
        topScope.variables["name"] = .string("main")
        topScope.variables["title"] = .string("main")
        topScope.variables["module_name"] = .string("")
        topScope.variables["serverversion"] = .string("7.23.0")
        topScope.variables["clientversion"] = .string("7.23.0")
    }

    // MARK: - Errors

    func error(_ message: String, _ e: Expr?) -> CompileError {
        CompileError(message, file: currentFile, offset: e?.range.start)
    }

    func warn(_ message: String, _ e: Expr?) {
        if let e {
            warnings.append("\(currentFile.location(of: e.range.start)): warning: \(message)")
        } else {
            warnings.append("warning: \(message)")
        }
    }

    // MARK: - Compile

    /// Compiles the main manifest (already parsed without errors).
    public func compile(_ program: Program) throws -> Catalog {
        currentFile = program.file
        register(program.body, file: program.file, topLevel: true)
        try checkParameterTypes()
        try checkNodeNames()
        // Main code: everything but definitions, in Class[main].
        if let body = program.body {
            try evaluateStatements(body, topScope)
        }
        PhaseClock.mark("evaluate main")
        return try evaluateNodeAndFinish()
    }

    /// After the main code: the node's code, generators (defines, collectors), then the
    /// relationships and the cycle check.
    func evaluateNodeAndFinish() throws -> Catalog {
        try evaluateNode()
        try evaluateGenerators()
        PhaseClock.mark("evaluate node, generators")
        try finish()
        return catalog
    }

    /// Evaluates a snippet's statements in a fresh top scope (or a node scope) and returns the
    /// value of the last one — the evaluator without a catalog around it, for tests and tools.
    public func evaluateSnippet(_ program: Program, inNodeScope: Bool = false) throws -> Value {
        currentFile = program.file
        register(program.body, file: program.file, topLevel: true)
        guard let body = program.body else { return .undef }
        var scope = topScope
        if inNodeScope {
            scope = Scope(kind: .node, parent: topScope, dynamicParent: topScope, container: mainClass)
            nodeScope = scope
        }
        return try evaluateStatementsValue(body, scope)
    }

    /// Records the definitions of a file (classes nest: `class a { class b {} }` defines `a::b`).
    func register(_ e: Expr?, file: SourceFile, topLevel: Bool) {
        guard let e else { return }
        switch e.kind {
        case let .classDefinition(name, _, _, body):
            let n = Compiler.normalize(name)
            if classes[n] == nil {
                classes[n] = Definition(name: n, expr: e, file: file)
                uncheckedDefinitions.append(classes[n]!)
            }
            register(body, file: file, topLevel: false)
        case let .defineDefinition(name, _, _):
            let n = Compiler.normalize(name)
            if defines[n] == nil {
                defines[n] = Definition(name: n, expr: e, file: file)
                uncheckedDefinitions.append(defines[n]!)
            }
        case let .functionDefinition(name, _, _, _):
            functions[Compiler.normalize(name)] = Definition(name: Compiler.normalize(name), expr: e, file: file)
        case let .typeAlias(name, type):
            typeAliases[name] = (type, file)
        case let .nodeDefinition(matches, _, body):
            if topLevel { nodes.append((matches, body, file, e)) }
        case let .block(statements):
            for s in statements { register(s, file: file, topLevel: topLevel) }
        default:
            break
        }
    }

    /// Puppet resolves the parameter types of each class and define when it loads the file
    /// that defines them (the main manifest before evaluating any of it, a module's file when
    /// it is autoloaded): a type it cannot find is an error even if nothing declares the
    /// definition. So each caller of `register` checks what it registered: each type reference
    /// in a parameter's type is looked up as evaluating it does (`Resource type not found: X`
    /// at the reference). It loads a file's definitions in order: a type alias defined further
    /// down the same file is not known yet (at evaluation, later, it is). Function parameters
    /// are not looked at.
    func checkParameterTypes() throws {
        // Taken first: a lookup may load a module's file, whose caller checks its definitions
        // (before the rest of these, as Puppet reports them).
        let definitions = uncheckedDefinitions
        uncheckedDefinitions = []
        for d in definitions { try checkTypes(of: d.parameters, file: d.file) }
    }

    private func checkTypes(of parameters: [Parameter], file: SourceFile) throws {
        func references(_ t: Expr) throws {
            switch t.kind {
            case .reference:
                // An alias's type is named as the alias is registered.
                if case let .type(type) = try evaluate(t, topScope), let (aliased, aliasFile) = typeAliases[type.name],
                   aliasFile === file, aliased.range.start > t.range.start, case let .reference(r) = t.kind {
                    throw error("Evaluation Error: Resource type not found: \(r)", t)
                }
            case let .access(left, keys):
                try references(left)
                for k in keys { try references(k) }
            case let .list(items): for i in items { try references(i) }
            case let .hash(entries):
                for en in entries {
                    try references(en.key)
                    try references(en.value)
                }
            case let .parenthesized(inner): try references(inner)
            default: break
            }
        }
        guard parameters.contains(where: { $0.type != nil }) else { return }
        let saved = currentFile
        currentFile = file
        defer { currentFile = saved }
        for p in parameters { if let t = p.type { try references(t) } }
    }

    static func normalize(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasPrefix("::") { n.removeFirst(2) }
        return n
    }

    /// Evaluates a body's statements in a scope (definitions are skipped: they were registered).
    func evaluateStatements(_ body: Expr, _ scope: Scope) throws {
        if case let .block(statements) = body.kind {
            for s in statements { try evaluateUnusedStatement(s, scope) }
        } else {
            try evaluateUnusedStatement(body, scope)
        }
    }

    /// A statement whose value nobody uses: a resource expression makes no list of references.
    func evaluateUnusedStatement(_ e: Expr, _ scope: Scope) throws {
        if case .resource = e.kind {
            _ = try evaluateResource(e, scope, wantsValue: false)
        } else {
            _ = try evaluateStatement(e, scope)
        }
    }

    @discardableResult
    func evaluateStatement(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .classDefinition, .defineDefinition, .functionDefinition, .typeAlias, .nodeDefinition:
            return .undef
        default:
            return try evaluate(e, scope)
        }
    }

    // MARK: - Nodes

    /// Puppet names a regex node after its pattern, cleaned of special characters.
    static func regexNodeName(_ pattern: String) -> String { Validator.regexNodeName(pattern) }

    /// Two node statements with one name (regexes compared by their cleaned names) are an error
    /// as soon as the code is loaded, as in Puppet.
    func checkNodeNames() throws {
        var seen: [String: (file: SourceFile, offset: Int32)] = [:]
        for n in nodes {
            for m in n.matches {
                let name: String
                switch m.kind {
                case let .string(s): name = s.lowercased()
                case let .regex(r): name = Compiler.regexNodeName(r)
                case .defaultLiteral: name = "default"
                default: continue
                }
                if let first = seen[name] {
                    let line = first.file.location(of: first.offset).line
                    throw CompileError("Node '\(name)' is already defined (file: \(first.file.path), line: \(line)); cannot redefine",
                                       file: n.file, offset: n.expr.range.start)
                }
                seen[name] = (n.file, n.expr.range.start)
            }
        }
    }

    /// Puppet's node matching: the certname exactly, then regexes in file order, then `default`
    /// (Puppet 7 no longer tries the certname shortened at each dot).
    func evaluateNode() throws {
        guard !nodes.isEmpty else { return }
        let certname = options.certname.lowercased()
        var chosen: (name: String, index: Int)?
        func findExact(_ name: String) -> Int? {
            nodes.firstIndex { n in n.matches.contains { if case let .string(s) = $0.kind { return s.lowercased() == name }; return false } }
        }
        if let i = findExact(certname) { chosen = (certname, i) }
        var captures: [Value]?
        if chosen == nil {
            outer: for (i, n) in nodes.enumerated() {
                for m in n.matches {
                    if case let .regex(r) = m.kind, let re = try? PRegex(r), let groups = re.firstMatch(in: certname) {
                        chosen = (Compiler.regexNodeName(r), i)
                        captures = groups.map { $0.map(Value.string) ?? .undef }
                        break outer
                    }
                }
            }
        }
        // Puppet 7 checks hostnames strictly: no matching on shortened names.
        if chosen == nil {
            if let i = nodes.firstIndex(where: { n in n.matches.contains { if case .defaultLiteral = $0.kind { return true }; return false } }) {
                chosen = ("default", i)
            }
        }
        guard let (name, index) = chosen else {
            throw CompileError("Could not find node statement with name 'default' or '\(options.certname)'")
        }
        let node = nodes[index]
        let title = name
        let resource = CatalogResource(type: "Node", title: title, exported: false, virtual: false, file: nil, line: nil)
        resource.tags = ["node", "class"]
        if isValidTag(title) { resource.tags.insert(title.lowercased()) }
        resource.container = mainClass
        catalog.add(resource)
        catalog.contain(mainClass, resource)
        let scope = Scope(kind: .node, parent: topScope, dynamicParent: topScope, container: resource)
        nodeScope = scope
        let saved = currentFile
        currentFile = node.file
        defer { currentFile = saved }
        matchStack.append(captures)
        defer { matchStack.removeLast() }
        if let body = node.body { try evaluateStatements(body, scope) }
    }

    var nodeScope: Scope?

    // MARK: - Generators and finish

    /// Defines and collectors, until neither finds more work (Puppet's evaluate_generators).
    func evaluateGenerators() throws {
        var rounds = 0
        while true {
            rounds += 1
            if rounds > 1000 { throw CompileError("Somehow looped more than 1000 times while evaluating host catalog") }
            var progressed = false
            while !pendingDefines.isEmpty {
                let batch = pendingDefines
                pendingDefines = []
                for p in batch {
                    try evaluateDefine(p.resource, p.definition, p.arguments, p.declaredIn)
                    progressed = true
                }
            }
            for c in collectors {
                if try c.collect(self) { progressed = true }
            }
            if !progressed { break }
        }
    }

    func finish() throws {
        // Overrides of resources that did not exist when declared.
        for o in pendingOverrides {
            try applyOverride(o, required: true)
        }
        // Realize requests for resources that never appeared.
        for r in realizeRequests {
            for ref in Catalog.flattenRefs(r.ref) where catalog.resource(ref: ref) == nil {
                currentFile = r.file
                throw CompileError("Failed to realize virtual resources \(ref)", file: r.file, offset: r.offset)
            }
        }
        // Chains (`->`, `~>`) become before/notify metaparameters.
        for rel in pendingRelationships {
            try rel.apply(self)
        }
        whenResourcesFinal?(catalog)
        PhaseClock.event("helped mapping")
        // Every relationship must point at a resource of the catalog; the relationships (the
        // oracle's, from the four metaparameters, `from` applied first) are collected on the way.
        var rels: [Relationship] = []
        var serials: [(from: Int, to: Int)] = []
        // About one a resource in a large manifest (growing one at a time copied them often).
        rels.reserveCapacity(catalog.resources.count)
        serials.reserveCapacity(catalog.resources.count)
        for r in catalog.resources where !r.virtual || r.exported {
            // In the order the parameters were set (Puppet checks them in that order); only a
            // relationship's value is copied out (a copy of each retains its strings).
            let entries = r.parameters.entries
            for i in entries.indices where ResourceTypes.isRelationshipParameter(entries[i].key) {
                let (param, value) = entries[i]
                var seen = Set<String>()
                func relate(_ ref: String, oneOf count: Int, found: CatalogResource? = nil) throws {
                    let target = found ?? catalog.resource(ref: ref) ?? catalog.resource(ref: Compiler.canonicalRef(ref))
                    if let target, target.virtual, !target.exported {
                        // Puppet's validator finds it; building the relationship graph then fails.
                        throw CompileError("Could not retrieve dependency '\(target.ref)' of \(r.ref)")
                    }
                    guard let target else {
                        let file = r.sourceFile ?? currentFile
                        throw CompileError("Could not find resource '\(ref)' in parameter '\(param)'", file: file,
                                           offset: r.attributeOffset(param) ?? r.sourceOffset)
                    }
                    // A relationship is its resource, parameter and target: repeats can only
                    // come from one parameter's list.
                    if count > 1, !seen.insert(ref).inserted { return }
                    switch Named(param) {
                    case "require", "subscribe":
                        rels.append(Relationship(from: ref, to: r.ref, refresh: sameName(param, "subscribe"), via: param))
                        serials.append((target.serial, r.serial))
                    default:
                        rels.append(Relationship(from: r.ref, to: ref, refresh: sameName(param, "notify"), via: param))
                        serials.append((r.serial, target.serial))
                    }
                }
                // One reference (the usual case) needs no list; a reference value that names a
                // resource is looked up by its parts, the string its key is made of found in
                // the catalog's index rather than made again.
                if case let .type(t) = value, let (type, title) = t.resourceReference, !sameName(type, "Class"),
                   let (key, target) = catalog.resourceAndKey(type, title) {
                    try relate(key, oneOf: 1, found: target)
                } else if let one = Catalog.singleRef(value) {
                    try relate(one, oneOf: 1)
                } else {
                    let refs = Catalog.flattenRefs(value)
                    for ref in refs { try relate(ref, oneOf: refs.count) }
                }
            }
        }
        catalog.collectedRelationships = (rels, serials)
        PhaseClock.mark("finish: relationships")
        try checkCycles()
        PhaseClock.mark("finish: cycle check")
    }

    /// `Package[foo]`, `package[foo]`, `Class[Foo]` → the catalog's spelling of the reference.
    static func canonicalRef(_ ref: String) -> String {
        if isCanonicalRef(ref) { return ref }
        guard let open = ref.firstIndex(of: "["), ref.hasSuffix("]") else { return ref }
        let type = Naming.typeName(String(ref[..<open]))
        var title = String(ref[ref.index(after: open)..<ref.index(before: ref.endIndex)])
        if type == "Class" { title = Naming.className(title) }
        if title.hasPrefix("'"), title.hasSuffix("'"), title.count >= 2 { title = String(title.dropFirst().dropLast()) }
        return Catalog.key(type, title)
    }

    /// Already spelt as the catalog spells it (most references are): an ASCII type name other
    /// than Class whose `::`-separated segments are capitalised, and an unquoted title.
    static func isCanonicalRef(_ ref: String) -> Bool {
        var atSegmentStart = true, colons = 0, sawBracket = false
        var rest = ref.utf8.makeIterator()
        while let c = rest.next() {
            switch c {
            case UInt8(ascii: "["):
                guard !atSegmentStart, colons == 0, let first = rest.next(), first != UInt8(ascii: "'") else { return false }
                sawBracket = true
            case UInt8(ascii: ":"):
                colons += 1
                if colons > 2 || (atSegmentStart && colons == 1) { return false }
                if colons == 2 { atSegmentStart = true }
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if !atSegmentStart { return false }
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                if atSegmentStart { return false }
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                break
            default:
                return false
            }
            if sawBracket { break }
            if colons == 1 { return false }
            colons = 0
            atSegmentStart = false
        }
        return sawBracket && ref.utf8.last == UInt8(ascii: "]") && !ref.hasPrefix("Class[")
    }

    /// A dependency cycle is an error (Puppet finds it when it builds the relationship graph).
    /// The check reads the relationships as collected (the graph needs them in no order); when
    /// it finds a cycle it looks again in their sorted order, so that the cycle reported does
    /// not depend on how they were collected.
    func checkCycles() throws {
        guard firstCycle(relatedLeaves(catalog.collectedRelationships.serials)) != nil else { return }
        let cycle = firstCycle(relatedLeaves(catalog.sortedRelationships.serials)) ?? []
        throw CompileError("Found 1 dependency cycle:\n(" + cycle.map { catalog.resources[$0].ref }.joined(separator: " => ") + ")")
    }

    /// The relationship graph between leaves (resources that hold no others): relationships to
    /// and from containers stand for everything the container holds.
    func relatedLeaves(_ serials: [(from: Int, to: Int)]) -> Adjacency {
        let n = serials.isEmpty ? 0 : catalog.resources.count
        let containment = catalog.containmentSerials
        let children = Adjacency(vertices: n) { add in
            if n > 0 { for (from, to) in containment { add(Int(from), Int(to)) } }
        }
        func isLeaf(_ v: Int) -> Bool { children.offsets[v] == children.offsets[v + 1] }
        // A container stands for the leaves below it.
        var leafCache: [Int: [Int]] = [:]
        func leaves(_ v: Int) -> [Int] {
            if isLeaf(v) { return [v] }
            if let c = leafCache[v] { return c }
            var out: [Int] = []
            var stack = [v]
            var seen: Set<Int> = []
            while let x = stack.popLast() {
                guard seen.insert(x).inserted else { continue }
                if !isLeaf(x) { stack += children.successors(x) } else { out.append(x) }
            }
            leafCache[v] = out
            return out
        }
        return Adjacency(vertices: n) { add in
            for (from, to) in serials {
                // A resource related to a container that also holds it is no cycle of its own.
                if isLeaf(from) && isLeaf(to) {
                    if from != to { add(from, to) }
                    continue
                }
                let f = leaves(from), t = leaves(to)
                for a in f { for b in t where a != b { add(a, b) } }
            }
        }
    }
}
