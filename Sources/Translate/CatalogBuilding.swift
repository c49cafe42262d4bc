import Graph
import PuppetParser

/// Catalog expressions: resources, classes, defines, defaults, overrides, virtual and exported
/// resources, collectors and relationships.
extension Compiler {
    // MARK: - Resource expressions

    /// `type { title: attrs; … }`: declares resources and returns their references (a
    /// statement whose value is not used asks for none: `wantsValue` false).
    func evaluateResource(_ e: Expr, _ scope: Scope, wantsValue: Bool = true) throws -> Value {
        guard case let .resource(form, typeExpr, bodies) = e.kind else { return .undef }
        // A capitalised type is a reference first: an unknown one fails as Puppet's does.
        if case .reference = typeExpr.kind { _ = try evaluate(typeExpr, scope) }
        let typeName = try resourceTypeName(typeExpr, scope)
        // The usual expression: one body titled by one string. What the general path below
        // does with it, without its lists of titles, declarations and references.
        if bodies.count == 1, typeName != "class", !isDefaultTitle(bodies[0].title) {
            let body = bodies[0]
            if case let .list(items) = body.title.kind, items.contains(where: isDefaultTitle) {
                // (a `default` among the titles: the general path)
            } else {
                let titleValue = try evaluate(body.title, scope)
                if case let .string(title) = titleValue, !title.isEmpty {
                    let ops = try evaluateOperations(body.operations, scope)
                    let r = try declareResource(typeName, title, ops, form: form, scope: scope, at: body.title, lineAt: e)
                    return .array(wantsValue ? [.type(PType(r.type, [.string(r.title)]))] : [])
                }
                return try declareResources(typeName, form, bodies, scope, e, wantsValue: wantsValue, firstTitle: titleValue)
            }
        }
        return try declareResources(typeName, form, bodies, scope, e, wantsValue: wantsValue)
    }

    /// `default` as a title (a body of defaults for the expression's other bodies).
    private func isDefaultTitle(_ x: Expr) -> Bool { if case .defaultLiteral = x.kind { return true }; return false }

    /// The general resource expression: `default:` bodies, several bodies, title lists.
    /// `firstTitle`: the first body's title, when it was evaluated already.
    private func declareResources(_ typeName: String, _ form: ResourceForm, _ bodies: [ResourceBody], _ scope: Scope, _ e: Expr,
                                  wantsValue: Bool, firstTitle evaluatedTitle: Value? = nil) throws -> Value {
        var localDefaults: [(String, Value, Bool)] = []
        var refs: [Value] = []
        // A title may appear once in one expression (`default` included). Most expressions
        // have one: the set is made for the second.
        var firstTitle: String?
        var seenTitles = Set<String>()
        func once(_ title: String) throws {
            guard let first = firstTitle else { firstTitle = title; return }
            if seenTitles.isEmpty { seenTitles.insert(first) }
            guard seenTitles.insert(title).inserted else {
                throw error("Evaluation Error: The title '\(title)' has already been used in this resource expression", e)
            }
        }
        // A `default:` body sets defaults for the other bodies of this expression.
        for body in bodies {
            if isDefaultTitle(body.title) {
                try once("default")
                localDefaults += try evaluateOperations(body.operations, scope).map { ($0.name, $0.value, $0.append) }
            } else if case let .list(items) = body.title.kind, items.contains(where: isDefaultTitle) {
                // `[x, default]: …` declares x and sets the defaults of the other bodies.
                for _ in items.filter(isDefaultTitle) { try once("default") }
                localDefaults += try evaluateOperations(body.operations, scope).map { ($0.name, $0.value, $0.append) }
            }
        }
        // As Puppet does: every body's titles and attributes first, then the resources.
        var declarations: [(titles: [String], ops: [EvaluatedAttribute], at: Expr)] = []
        for (i, body) in bodies.enumerated() {
            if isDefaultTitle(body.title) { continue }
            let titleValue = try i == 0 ? evaluatedTitle ?? evaluate(body.title, scope) : evaluate(body.title, scope)
            let titles = try titleStrings(titleValue, body.title)
            for title in titles { try once(title) }
            var ops = try evaluateOperations(body.operations, scope)
            for (name, value, append) in localDefaults where !ops.contains(where: { $0.name == name }) {
                ops.append(EvaluatedAttribute(name: name, value: value, append: append, at: body.title))
            }
            declarations.append((titles, ops, body.title))
        }
        for (titles, ops, at) in declarations {
            for title in titles {
                if typeName == "class" {
                    try declareClass(title, arguments: Dictionary(ops.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                                     resourceLike: true, from: scope, at: at, virtual: form != .regular)
                    if wantsValue { refs.append(.type(PType("Class", [.string(Compiler.normalize(title))]))) }
                } else {
                    let r = try declareResource(typeName, title, ops, form: form, scope: scope, at: at, lineAt: e)
                    if wantsValue { refs.append(.type(PType(r.type, [.string(r.title)]))) }
                }
            }
        }
        // Puppet's value of a resource expression: the references it declared, always a list.
        return .array(refs)
    }

    /// The lowercase type name of a resource expression's type (`file`, `apache::vhost`,
    /// `class`). As in Puppet 7's evaluator, only a name, a type reference or an access to one
    /// (`Resource[notify]`) may stand there; anything else — a variable, a string, a number, a
    /// list — is an illegal resource type, named by the value's generalised inferred type
    /// (`got String`, `got Type[Notify]`, `got Array[Type[Resource]]`).
    func resourceTypeName(_ typeExpr: Expr, _ scope: Scope) throws -> String {
        func illegal(_ got: String) -> CompileError {
            error("Evaluation Error: Illegal Resource Type expression, expected result to be a type name, or untitled Resource, got \(got)", typeExpr)
        }
        switch typeExpr.kind {
        case let .name(n): return Compiler.normalize(n)
        case let .reference(r): return Compiler.normalize(r)
        case let .access(left, _):
            let v = try evaluate(typeExpr, scope)
            guard case .reference = left.kind else { throw illegal(generalized(detailedType(v)).description) }
            switch v {
            case let .string(s): return Compiler.normalize(s)
            case let .type(t) where t.parameters.isEmpty: return Compiler.normalize(t.name)
            default:
                // A titled reference is printed as itself (`Notify['hi']`), other values by type.
                var got = v.typeName
                if case let .type(t) = v { got = t.description }
                throw illegal(got)
            }
        default:
            let v = try evaluate(typeExpr, scope)
            throw illegal(generalized(detailedType(v)).description)
        }
    }

    /// A title's type as Puppet names it in the error: its generalised inferred type, which keeps
    /// a regexp's pattern and a hash's key and value types (when they are one type each).
    func titleTypeName(_ v: Value) -> String {
        switch v {
        case let .regex(r): return "Regexp[/\(r)/]"
        case let .hash(h) where !h.pairs.isEmpty:
            let keys = Set(h.pairs.map { inferredTypeName($0.key) }), values = Set(h.pairs.map { inferredTypeName($0.value) })
            guard keys.count == 1, values.count == 1 else { return "Hash" }
            return "Hash[\(keys.first!), \(values.first!)]"
        default: return v.typeName
        }
    }

    /// Titles must be non-empty strings (an array gives one resource per element).
    func titleStrings(_ v: Value, _ e: Expr) throws -> [String] {
        // The usual title: one string, no arrays made for it.
        if case let .string(s) = v, !s.isEmpty { return [s] }
        let items = v.arrayValue.map { $0.flatMap { $0.arrayValue ?? [$0] } } ?? [v]
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            switch item {
            case let .string(s):
                if s.isEmpty { throw error("Evaluation Error: Empty string title at \(i). Title strings must have a length greater than zero.", e) }
                out.append(s)
            case .undef where v.arrayValue == nil:
                throw error("Evaluation Error: Missing title. The title expression resulted in undef", e)
            case .undef:
                throw error("Evaluation Error: Missing title at index \(i). The title expression resulted in an undef title", e)
            case .defaultValue:
                continue
            case let .type(t) where t.resourceReference != nil:
                out.append(t.resourceReference!.title)
            default:
                throw error("Evaluation Error: Illegal title type at index \(i). Expected String, got \(titleTypeName(item))", e)
            }
        }
        return out
    }

    /// Attribute operations with `* => hash` expanded.
    func evaluateOperations(_ ops: [AttributeOperation], _ scope: Scope) throws -> [EvaluatedAttribute] {
        var out: [EvaluatedAttribute] = []
        out.reserveCapacity(ops.count)
        for op in ops {
            let v = try evaluate(op.value, scope)
            if op.isSplat {
                guard case let .hash(h) = v else {
                    if v.isUndef { continue }
                    throw error("Evaluation Error: Splat ('*') of attributes requires a Hash, got \(v.typeName)", op.value)
                }
                for (k, x) in h.pairs {
                    guard case let .string(name) = k else { continue }
                    if out.contains(where: { sameName($0.name, name) }) {
                        throw error("Evaluation Error: The attribute '\(name)' has already been set", op.value)
                    }
                    out.append(EvaluatedAttribute(name: name, value: x, append: false, at: op.value))
                }
                continue
            }
            if out.contains(where: { sameName($0.name, op.name) }) {
                throw error("Evaluation Error: The attribute '\(op.name)' has already been set in this resource body", op.value)
            }
            out.append(EvaluatedAttribute(name: op.name, value: v, append: op.op == .append, at: op.value))
        }
        return out
    }

    /// Adds one resource to the catalog (or queues a define instance).
    @discardableResult
    func declareResource(_ typeName: String, _ title: String, _ ops: [EvaluatedAttribute], form: ResourceForm,
                         scope: Scope, at e: Expr, lineAt: Expr? = nil) throws -> CatalogResource {
        // A manifest may define its own `anchor`; it wins over stdlib's type.
        let ownAnchor = typeName == "anchor" ? try findDefine(typeName) : nil
        let builtin = ownAnchor == nil ? ResourceTypes.builtinInfo(typeName) : nil
        let define = builtin == nil ? try (ownAnchor ?? findDefine(typeName)) : nil
        if builtin == nil && define == nil {
            throw error("Evaluation Error: Error while evaluating a Resource Statement, Unknown resource type: '\(typeName)'", e)
        }
        let type = builtin?.typeName ?? Naming.typeName(typeName)
        let ref = Catalog.key(type, title)
        let alternateKey = alternate(typeName, title, builtin: builtin)
        if let existing = catalog.resource(ref: ref) ?? alternateKey.flatMap({ catalog.resource(ref: $0) }) {
            throw error("Evaluation Error: Error while evaluating a Resource Statement, " + duplicateDeclaration(existing), e)
        }
        let r = CatalogResource(type: type, title: title, exported: form == .exported, virtual: form != .regular,
                                file: currentFile.path == "-e" ? "" : currentFile.path, line: nil, ref: ref)
        // Puppet gives every body of a resource expression the expression's line.
        r.lineOffset = (lineAt ?? e).range.start
        r.alternateKey = alternateKey
        r.isDefineInstance = define != nil
        r.scope = scope
        r.sourceFile = currentFile
        r.sourceOffset = e.range.start
        let container = scope.container ?? mainClass
        r.container = container
        // Attributes.
        var validNames = builtin?.attributes ?? Set(define?.parameters.map(\.name) ?? [])
        if define != nil { validNames.insert("name") }
        r.parameters.reserveCapacity(ops.count + 2)
        // Which of the names looked up below were set (no lookups for them afterwards).
        var setNamevar = false, setTag = false, setStage = false
        let namevar = builtin?.namevar ?? "name"
        for op in ops {
            let (name, value, at) = (op.name, op.value, op.at)
            let accepted = builtin.map { $0.accepted.contains(name) } ?? (ResourceTypes.metaparameters.contains(name) || validNames.contains(name))
            if !accepted {
                if define != nil {
                    throw error("Evaluation Error: Error while evaluating a Resource Statement, \(type)[\(title)]: has no parameter named '\(name)'", at)
                }
                throw error("Evaluation Error: Error while evaluating a Resource Statement, no parameter named '\(name)' on \(type)[\(title)]", at)
            }
            if value.isUndef { continue }
            r.set(name, value)
            if ResourceTypes.isRelationshipParameter(name) {
                r.noteAttributeOffset(name, at.range.start)
            } else if sameName(name, namevar) {
                setNamevar = true
            } else if sameName(name, "tag") {
                setTag = true
            } else if sameName(name, "stage") {
                setStage = true
            }
        }
        if namevar != "name", !setNamevar {
            r.set(namevar, .string(ResourceTypes.namevarValue(type: typeName, title: title)))
        }
        // Tags: the type, the title when it is a valid tag, the containers', the tag metaparam.
        r.tags = tagsFromContainer(container, typeName)
        if let (lower, segmented) = titleTag(title) {
            r.tags.insert(lower)
            if segmented { for seg in lower.split(separator: ":") { r.tags.insert(String(seg)) } }
        }
        if setTag, let t = r.parameters["tag"] { for s in Catalog.flattenStrings(t) { r.tags.insert(s.lowercased()) } }
        // Resource defaults in effect where (and when) the resource is declared.
        for (attr, value, _) in scope.defaults(for: typeName) where r.parameters[attr] == nil && !value.isUndef {
            if define == nil, !ResourceTypes.isMetaparameter(attr), !validNames.contains(attr) { continue }
            r.set(attr, value)
            if attr == "stage" { setStage = true }
        }
        if setStage {
            throw error("Evaluation Error: Error while evaluating a Resource Statement, Only classes can set 'stage'; normal resources like \(r.ref) cannot change run stage", lineAt ?? e)
        }
        catalog.add(r)
        // Stages are top-level: no class contains them.
        if typeName != "stage" { catalog.contain(container, r) }
        if let define {
            let args = Dictionary(ops.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            if form == .regular {
                pendingDefines.append((r, define, args, scope))
            } else {
                deferredDefines[r.ref] = (define, args, scope)
            }
        }
        return r
    }

    /// Puppet's message, which says where the first declaration was when it knows (a class
    /// first declared with `include` has no place).
    func duplicateDeclaration(_ existing: CatalogResource) -> String {
        let at = existing.line.map { " at (file: \(existing.file ?? ""), line: \($0))" } ?? ""
        return "Duplicate declaration: \(existing.ref) is already declared\(at); cannot redeclare"
    }

    /// Files are unique by path, not title: `/tmp/x/` and `/tmp/x` are the same resource.
    func alternate(_ typeName: String, _ title: String, builtin: ResourceTypes.Info?) -> String? {
        guard let b = builtin, b.namevar != "name" else { return nil }
        let n = ResourceTypes.namevarValue(type: typeName, title: title)
        return n == title ? nil : Catalog.key(Naming.typeName(typeName), n)
    }

    func tagsFromContainer(_ c: CatalogResource?) -> TagSet {
        guard let c else { return [] }
        var t = c.tags
        // A define instance passes on its type name and title tags, not its own type tag only.
        if c.type == "Stage" { t.remove("stage") }
        return t
    }

    /// The container's tags and those of a type name (its segments too): the same for most
    /// resources of a container, so the last few are kept (keyed by the container's tags as
    /// they are now: the `tag` function may add to them).
    func tagsFromContainer(_ c: CatalogResource?, _ typeName: String) -> TagSet {
        let containerTags = c?.tags ?? []
        if let hit = typeTagCache.first(where: { $0.typeName == typeName && $0.container === c && $0.containerTags == containerTags }) {
            return hit.tags
        }
        var t = tagsFromContainer(c)
        t.insert(typeName)
        if typeName.containsDoubleColon { for seg in typeName.split(separator: ":") { t.insert(String(seg)) } }
        if typeTagCache.count == 8 { typeTagCache.removeFirst() }
        typeTagCache.append((c, containerTags, typeName, t))
        return t
    }

    /// The tag a title gives (lowercased), and whether it has `::` and so its segments are
    /// tags too; nil when the title is not a valid tag. One pass over an ASCII title (every
    /// resource's title is checked).
    func titleTag(_ title: String) -> (tag: String, segmented: Bool)? {
        if let ascii = Compiler.asciiTagShape(title) {
            guard ascii.valid else { return nil }
            return (ascii.upper ? title.lowercased() : title, ascii.doubleColon)
        }
        guard isValidUnicodeTag(title) else { return nil }
        return (title.lowercasedIfNeeded, title.containsDoubleColon)
    }

    func isValidTag(_ s: String) -> Bool {
        Compiler.asciiTagShape(s)?.valid ?? isValidUnicodeTag(s)
    }

    /// One pass over a tag's bytes, `[A-Za-z0-9_][A-Za-z0-9_:.-]*`: whether it is valid, has
    /// an upper-case letter, has `::`. Nil when a non-ASCII byte comes before any invalid one
    /// (the Unicode rules decide; an invalid ASCII byte fails under them too).
    static func asciiTagShape(_ s: String) -> (valid: Bool, upper: Bool, doubleColon: Bool)? {
        withUTF8Bytes(of: s) { bytes in
            var upper = false, doubleColon = false, previousColon = false, first = true
            for c in bytes {
                if c >= 0x80 { return nil }
                let ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95
                    || (!first && (c == 58 || c == 46 || c == 45))
                if !ok { return (false, false, false) }
                if c >= 65 && c <= 90 { upper = true }
                if c == 58 {
                    if previousColon { doubleColon = true }
                    previousColon = true
                } else {
                    previousColon = false
                }
                first = false
            }
            return (!first, upper, doubleColon)
        }
    }

    private func isValidUnicodeTag(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.properties.isAlphabetic || ("0"..."9").contains(f) || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":" || $0 == "." || $0 == "-" }
    }

    /// A lowercase name of a resource type: class, node, stage, a built-in type or a defined
    /// type (loaded from the module path if need be).
    func isResourceType(_ name: String) throws -> Bool {
        if ["class", "node", "stage"].contains(name) || ResourceTypes.builtin[name] != nil { return true }
        return try findDefine(name) != nil
    }

    func findDefine(_ name: String) throws -> Definition? {
        if let d = defines[name] { return d }
        if try registerRestOfMainManifest(), let d = defines[name] { return d }
        if try loader.load(name, into: self) { return defines[name] }
        return nil
    }

    func findClass(_ name: String) throws -> Definition? {
        if let d = classes[name] { return d }
        if try registerRestOfMainManifest(), let d = classes[name] { return d }
        if try loader.load(name, into: self) { return classes[name] }
        return nil
    }

    // MARK: - Classes

    /// `include x`, `require x`, `contain x`, `class { 'x': … }`.
    @discardableResult
    func declareClass(_ rawName: String, arguments: [String: Value]?, resourceLike: Bool, from scope: Scope, at e: Expr,
                      virtual: Bool = false) throws -> CatalogResource {
        let name = Compiler.normalize(rawName)
        if virtual { throw error("Evaluation Error: Classes are not virtualizable", e) }
        if let existing = catalog.resource(ref: Catalog.key("Class", Naming.className(name))) {
            if resourceLike {
                throw error("Evaluation Error: Error while evaluating a Resource Statement, " + duplicateDeclaration(existing), e)
            }
            return existing
        }
        guard let def = try findClass(name) else {
            if resourceLike { throw error("Evaluation Error: Error while evaluating a Resource Statement, Could not find declared class \(name)", e) }
            throw error("Evaluation Error: Error while evaluating a Function Call, Could not find class ::\(name) for \(options.certname)", e)
        }
        // The parent class first (include-like).
        var parentScope: Scope?
        if let parent = def.parent {
            let parentName = Compiler.normalize(parent)
            try declareClass(parentName, arguments: nil, resourceLike: false, from: scope, at: e)
            parentScope = classScopes[parentName]
        }
        let title = Naming.className(name)
        // Resource-like declarations record where they are; include-like ones do not.
        let loc = currentFile.location(of: e.range.start)
        let r = CatalogResource(type: "Class", title: title, exported: false, virtual: false,
                                file: resourceLike ? (currentFile.path == "-e" ? "" : currentFile.path) : nil,
                                line: resourceLike ? loc.line : nil)
        r.set("name", .string(title))
        for (k, v) in (arguments ?? [:]).sorted(by: { $0.key < $1.key }) where ResourceTypes.metaparameters.contains(k) && !v.isUndef {
            r.set(k, v)
        }
        r.scope = scope
        r.sourceFile = currentFile
        r.sourceOffset = e.range.start
        // Tags: the class name and its segments, "class", and the declaring container's tags.
        r.tags = tagsFromContainer(scope.container ?? mainClass)
        r.tags.insert("class")
        r.tags.insert(name)
        if name.containsDoubleColon { for seg in name.split(separator: ":") { r.tags.insert(String(seg)) } }
        if let t = r.parameters["tag"] { for s in Catalog.flattenStrings(t) { r.tags.insert(s.lowercased()) } }
        // Containment: the class's stage, else the stage of the resource whose scope declares
        // it (a class included from a staged class runs in that stage, and says so in its own
        // 'stage', as Puppet's add_edge_to_stage does), else main.
        var stage = mainStage
        let inherited = r.parameters["stage"] == nil ? scope.container?.parameters["stage"] : nil
        if let s = arguments?["stage"] ?? inherited, case let .string(stageName) = s {
            guard let st = catalog.resource(ref: Catalog.key("Stage", stageName)) else {
                throw error("Evaluation Error: Could not find stage \(stageName) specified by Class[\(title)]", e)
            }
            stage = st
            if inherited != nil && stageName != "main" { r.set("stage", s) }
        }
        r.container = stage
        catalog.add(r)
        catalog.contain(stage, r)
        // Defaults flow from the parent class (inherits) or else from the declaring scope.
        let classScope = Scope(kind: .hostClass(name), parent: parentScope ?? nodeScopeFor(scope) ?? topScope,
                               dynamicParent: parentScope ?? scope, container: r)
        classScopes[name] = classScope
        classScope.variables["title"] = .string(name)
        classScope.variables["name"] = .string(name)
        classScope.variables["module_name"] = .string(loader.moduleName(of: def.file.path))
        classScope.variables["caller_module_name"] = callerModuleName(scope)
        let saved = currentFile
        currentFile = def.file
        defer { currentFile = saved }
        try bindParameters(def, arguments ?? [:], into: classScope, resource: r, what: "Class[\(title)]", at: e,
                           statement: resourceLike ? "Resource Statement" : "Function Call")
        r.evaluated = true
        if let body = def.body { try evaluateStatements(body, classScope) }
        return r
    }

    /// `$caller_module_name`: the module of the scope that declared the class or resource
    /// ('' at top and node scope).
    func callerModuleName(_ declaringScope: Scope) -> Value {
        var s: Scope? = declaringScope
        while let cur = s {
            if let m = cur.variables["module_name"] { return m }
            s = cur.parent
        }
        return .string("")
    }

    func nodeScopeFor(_ scope: Scope) -> Scope? {
        var s: Scope? = scope
        while let cur = s {
            if cur.kind == .node { return cur }
            s = cur.dynamicParent ?? cur.parent
        }
        return nil
    }

    /// Binds class or define parameters: given values, else defaults (evaluated in order in the
    /// new scope), else an error; checks types and unknown names.
    /// `statement`: what Puppet names in its error ("Function Call" for `include`, else
    /// "Resource Statement").
    func bindParameters(_ def: Definition, _ arguments: [String: Value], into scope: Scope, resource: CatalogResource,
                        what: String, at e: Expr, statement: String = "Resource Statement") throws {
        let params = def.parameters
        let known = Set(params.map(\.name))
        // Puppet assigns every default, then reports all problems in one message: unknown
        // names first, then each parameter in order, missing or of the wrong type.
        var problems: [String] = []
        for name in arguments.keys.sorted() where !known.contains(name) && !ResourceTypes.metaparameters.contains(name) && name != "name" {
            problems.append("has no parameter named '\(name)'")
        }
        for p in params {
            // A value given (undef included: it stands for the default), else the default,
            // else the parameter is missing — whatever its type (Optional too), as in Puppet 7.
            var value: Value
            if let given = arguments[p.name], !given.isUndef {
                value = given
            } else if let d = p.value {
                value = try evaluate(d, scope)
            } else if arguments[p.name] != nil {
                value = .undef
            } else {
                problems.append("expects a value for parameter '\(p.name)'")
                scope.variables[p.name] = .undef
                continue
            }
            if let t = p.type, case let .type(pt) = try evaluate(t, scope), try !isInstance(value, of: pt) {
                if pt.name == "Struct", case let .hash(h) = value, case let .hash(schema)? = pt.parameters.first {
                    problems += try structProblems(schema, h).map { "parameter '\(p.name)' " + $0 }
                } else {
                    problems.append("parameter '\(p.name)' " + (try mismatch(pt, value)))
                }
            }
            scope.variables[p.name] = value
            if !value.isUndef, resource.type == "Class" { resource.set(p.name, value) }
        }
        if !problems.isEmpty {
            let detail = problems.count == 1 ? " " + problems[0] : "\n  " + problems.joined(separator: "\n  ")
            throw CompileError("Evaluation Error: Error while evaluating a \(statement), \(what):\(detail)",
                               file: resource.sourceFile, offset: resource.sourceOffset)
        }
    }

    // MARK: - Defines

    func evaluateDefine(_ r: CatalogResource, _ def: Definition, _ args: [String: Value], _ declaredIn: Scope) throws {
        guard !r.evaluated else { return }
        r.evaluated = true
        let scope = Scope(kind: .define(def.name), parent: nodeScopeFor(declaredIn) ?? topScope, dynamicParent: declaredIn, container: r)
        scope.variables["title"] = .string(r.title)
        scope.variables["name"] = args["name"] ?? .string(r.title)
        scope.variables["module_name"] = .string(loader.moduleName(of: def.file.path))
        scope.variables["caller_module_name"] = callerModuleName(declaredIn)
        let saved = currentFile
        currentFile = def.file
        defer { currentFile = saved }
        // Parameters come from the resource as it is now (overrides and defaults included).
        var merged = args
        for (k, v) in r.parameters { merged[k] = v }
        try bindParameters(def, merged, into: scope, resource: r, what: "\(r.type)[\(r.title)]", at: def.expr)
        for p in def.parameters {
            if let v = scope.variables[p.name], !v.isUndef, r.parameters[p.name] == nil { r.set(p.name, v) }
        }
        if let body = def.body { try evaluateStatements(body, scope) }
    }

    // MARK: - Defaults and overrides

    func evaluateDefaults(_ e: Expr, _ scope: Scope) throws -> Value {
        guard case let .resourceDefaults(_, typeExpr, ops) = e.kind else { return .undef }
        let type = try resourceTypeName(typeExpr, scope)
        // Puppet resolves the type of a defaults statement at once.
        if try !isResourceType(type) {
            throw error("Evaluation Error: Resource type not found: \(Naming.typeName(type))", typeExpr)
        }
        for op in try evaluateOperations(ops, scope) {
            let (name, value, append) = (op.name, op.value, op.append)
            if scope.defaults[type]?[name] != nil {
                throw error("Evaluation Error: Error while evaluating a Resource Defaults statement, The parameter '\(name)' has already been set for '\(Naming.typeName(type))' defaults", e)
            }
            scope.defaults[type, default: [:]][name] = (value, append)
        }
        return .undef
    }

    func evaluateOverride(_ e: Expr, _ scope: Scope) throws -> Value {
        guard case let .resourceOverride(_, resourcesExpr, ops) = e.kind else { return .undef }
        let refs = try evaluate(resourcesExpr, scope)
        let values = try evaluateOperations(ops, scope)
        for ref in Catalog.flattenRefs(refs) {
            let o = Override(ref: Compiler.canonicalRef(ref), operations: values, scope: scope, file: currentFile, expr: e, fromCollector: false)
            if catalog.resource(ref: o.ref) != nil {
                try applyOverride(o, required: true)
            } else {
                pendingOverrides.append(o)
            }
        }
        return refs
    }

    func applyOverride(_ o: Override, required: Bool) throws {
        guard let r = catalog.resource(ref: o.ref) else {
            if required {
                throw CompileError("Evaluation Error: Could not find resource '\(o.ref)' for overriding", file: o.file, offset: o.expr.range.start)
            }
            return
        }
        let fromSubclass = isSubclassScope(o.scope, of: r.scope)
        if !o.fromCollector && !fromSubclass && o.scope !== r.scope {
            let line = o.file.location(of: o.expr.range.start).line
            throw CompileError("Only subclasses can override parameters (file: \(o.file.path), line: \(line))", file: o.file, offset: o.expr.range.start)
        }
        for op in o.operations {
            let (name, value, append, at) = (op.name, op.value, op.append, op.at)
            if let current = r.parameters[name], !o.fromCollector && !fromSubclass {
                _ = current
                throw CompileError("Evaluation Error: Parameter '\(name)' is already set on \(r.ref); cannot redefine",
                                   file: o.file, offset: at.range.start)
            }
            if append, let current = r.parameters[name] {
                let merged: [Value] = (current.arrayValue ?? [current]) + (value.arrayValue ?? [value])
                r.set(name, .array(merged))
            } else if value.isUndef {
                r.parameters[name] = nil
            } else {
                r.set(name, value)
            }
            r.overriddenAttributes.insert(name)
            if name == "tag" { for s in Catalog.flattenStrings(value) { r.tags.insert(s.lowercased()) } }
        }
    }

    /// Whether `scope` is a class scope inheriting (directly or not) from `target`'s class scope.
    func isSubclassScope(_ scope: Scope, of target: Scope?) -> Bool {
        guard let target else { return false }
        var s: Scope? = scope
        while let cur = s {
            if cur === target { return cur !== scope }
            if case .hostClass = cur.kind { s = cur.parent } else { s = cur.parent }
        }
        return false
    }

    // MARK: - Collectors and realize

    func evaluateCollector(_ e: Expr, _ scope: Scope) throws -> Value {
        guard case let .collect(typeExpr, query, ops) = e.kind else { return .undef }
        let type = try resourceTypeName(typeExpr, scope)
        if type == "class" { throw error("Evaluation Error: Error while evaluating a Virtual Query, Classes cannot be collected", e) }
        if ResourceTypes.builtin[type] == nil, try findDefine(type) == nil {
            throw error("Evaluation Error: Error while evaluating a Virtual Query, Resource type \(type) doesn't exist", e)
        }
        let c = Collector(type: Naming.typeName(type), query: query.expr, exported: query.exported, operations: ops,
                          scope: scope, file: currentFile, expr: e)
        collectors.append(c)
        _ = try c.collect(self)
        return .undef
    }

    func realize(_ v: Value, at e: Expr) throws {
        for ref in Catalog.flattenRefs(v) {
            let canonical = Compiler.canonicalRef(ref)
            if let r = catalog.resource(ref: canonical) {
                try realizeResource(r)
            } else {
                realizeRequests.append((.string(canonical), currentFile, e.range.start))
            }
        }
    }

    func realizeResource(_ r: CatalogResource) throws {
        guard r.virtual else { return }
        r.virtual = false
        if let (def, args, scope) = deferredDefines.removeValue(forKey: r.ref) {
            pendingDefines.append((r, def, args, scope))
        }
    }

    // MARK: - Relationships

    func relationship(_ op: RelationshipOperator, _ l: Expr, _ r: Expr, _ scope: Scope, _ e: Expr) throws -> Value {
        let left = try relationshipOperand(l, scope)
        let right = try relationshipOperand(r, scope)
        pendingRelationships.append(PendingRelationship(left: left, right: right, op: op, file: currentFile, expr: e))
        // An empty operand in a chain is closed over: `A -> [] ~> B` relates A to B.
        if right.collector == nil, right.refs().isEmpty { return left.value }
        return right.value
    }

    /// A relationship operand: references (possibly from a nested chain), or a collector whose
    /// matches are known only at the end.
    func relationshipOperand(_ e: Expr, _ scope: Scope) throws -> RelationshipOperand {
        if case .collect = e.kind {
            let before = collectors.count
            _ = try evaluate(e, scope)
            return RelationshipOperand(value: .undef, collector: collectors.count > before ? collectors.last : nil)
        }
        if case let .relationship(_, _, inner) = e.kind, case .collect = inner.kind {
            _ = try evaluate(e, scope)
            return RelationshipOperand(value: .undef, collector: collectors.last)
        }
        return RelationshipOperand(value: try evaluate(e, scope), collector: nil)
    }
}

/// An attribute of a resource body, evaluated: its name, value, whether it appends (`+>`), and
/// where it was. (A struct: an array of tuples was destroyed through the runtime's generic
/// tuple witness, ~4 % of the evaluator's instructions.)
struct EvaluatedAttribute {
    var name: String
    var value: Value
    var append: Bool
    var at: Expr
}

struct Override {
    let ref: String
    let operations: [EvaluatedAttribute]
    let scope: Scope
    let file: SourceFile
    let expr: Expr
    let fromCollector: Bool
}

struct RelationshipOperand {
    let value: Value
    let collector: Collector?

    func refs() -> [String] {
        if let collector { return collector.matched.map(\.ref) }
        return RelationshipOperand.refs(value)
    }

    static func refs(_ v: Value) -> [String] {
        switch v {
        case let .array(items): return items.flatMap(refs)
        case let .string(s):
            // A string names a class (or is a "Type[title]" reference).
            if s.contains("[") { return [Compiler.canonicalRef(s)] }
            return [Catalog.key("Class", Naming.className(s))]
        case let .type(t):
            if let r = v.referenceString { return [Compiler.canonicalRef(r)] }
            if t.parameters.isEmpty { return [] }
            return []
        default: return []
        }
    }
}

struct PendingRelationship {
    let left: RelationshipOperand
    let right: RelationshipOperand
    let op: RelationshipOperator
    let file: SourceFile
    let expr: Expr

    func apply(_ c: Compiler) throws {
        var sources = left.refs(), targets = right.refs()
        var param = "before"
        switch op {
        case .before: param = "before"
        case .notify: param = "notify"
        case .require: swap(&sources, &targets); param = "before"
        case .subscribe: swap(&sources, &targets); param = "notify"
        }
        for s in sources {
            guard let sr = c.catalog.resource(ref: s) else {
                throw CompileError("Evaluation Error: Could not find resource '\(s)' for relationship on '\(targets.first ?? "")'", file: file, offset: expr.range.start)
            }
            for t in targets {
                guard c.catalog.resource(ref: t) != nil else {
                    throw CompileError("Evaluation Error: Could not find resource '\(t)' for relationship from '\(s)'", file: file, offset: expr.range.start)
                }
                var list = sr.parameters[param].map { $0.arrayValue ?? [$0] } ?? []
                let refValue = Value.string(t)
                if !list.contains(where: { Catalog.flattenRefs($0).contains(t) }) { list.append(refValue) }
                sr.set(param, list.count == 1 ? list[0] : .array(list))
            }
        }
    }
}

/// `Type <| query |>` (virtual and ordinary resources of this catalog) or `Type <<| query |>>`
/// (exported ones): realizes what matches and applies the override block, every time the
/// compiler looks for new work.
final class Collector {
    let type: String
    let query: Expr?
    let exported: Bool
    let operations: [AttributeOperation]
    let scope: Scope
    let file: SourceFile
    let expr: Expr
    var matched: [CatalogResource] = []

    init(type: String, query: Expr?, exported: Bool, operations: [AttributeOperation], scope: Scope, file: SourceFile, expr: Expr) {
        self.type = type
        self.query = query
        self.exported = exported
        self.operations = operations
        self.scope = scope
        self.file = file
        self.expr = expr
    }

    /// Returns whether anything new matched.
    func collect(_ c: Compiler) throws -> Bool {
        if exported && !c.options.storeconfigs { return false }
        var progressed = false
        let saved = c.currentFile
        c.currentFile = file
        defer { c.currentFile = saved }
        for r in c.catalog.resources where r.type == type && !matched.contains(where: { $0 === r }) {
            if exported && !r.exported { continue }
            if let query, try !c.queryMatches(query, r, scope) { continue }
            matched.append(r)
            progressed = true
            try c.realizeResource(r)
            if !operations.isEmpty {
                let ops = try c.evaluateOperations(operations, scope)
                try c.applyOverride(Override(ref: r.ref, operations: ops, scope: scope, file: file, expr: expr, fromCollector: true), required: true)
            }
        }
        return progressed
    }
}

extension Compiler {
    /// A collector query: `attr == v`, `attr != v`, `and`, `or`, parentheses. An array attribute
    /// matches if any element equals; `tag ==` matches the resource's tags; `title` its title;
    /// resource references compare as references (`require == Notify[x]`).
    func queryMatches(_ q: Expr, _ r: CatalogResource, _ scope: Scope) throws -> Bool {
        switch q.kind {
        case let .parenthesized(inner): return try queryMatches(inner, r, scope)
        case let .binary(.and, a, b): return try queryMatches(a, r, scope) && queryMatches(b, r, scope)
        case let .binary(.or, a, b): return try queryMatches(a, r, scope) || queryMatches(b, r, scope)
        case let .binary(op, a, b) where op == .equal || op == .notEqual:
            let attr: String
            switch a.kind {
            case let .name(n): attr = n
            case let .string(s): attr = s
            default: attr = try evaluate(a, scope).interpolated
            }
            let want = try evaluate(b, scope)
            let result: Bool
            switch attr {
            case "title":
                result = puppetEquals(.string(r.title), want)
            case "tag" where op == .equal:
                if case let .string(s) = want { result = r.tags.contains(s.lowercased()) } else { result = false }
            default:
                // `tag !=` compares the tag parameter, not the resource's tags (Puppet's
                // collector transformer), so it excludes only a resource tagged exactly so.
                let have = r.parameters[attr] ?? (attr == "name" ? .string(r.title) : .undef)
                let wanted = refAware(want)
                if op == .equal, case let .array(items) = have, want.arrayValue == nil {
                    // `==` matches any element of an array attribute; `!=` compares the whole.
                    result = items.contains { puppetEquals(refAware($0), wanted) }
                } else {
                    result = puppetEquals(refAware(have), wanted)
                }
            }
            return op == .equal ? result : !result
        default:
            throw error("Evaluation Error: Illegal query expression", q)
        }
    }

    func refAware(_ v: Value) -> Value {
        if let r = v.referenceString { return .string(r) }
        return v
    }
}

extension Catalog {
    static func flattenStrings(_ v: Value) -> [String] {
        switch v {
        case let .array(a): return a.flatMap(flattenStrings)
        case let .string(s): return [s]
        case .undef: return []
        default: return [v.interpolated]
        }
    }
}
