import PuppetParser

/// EPP templates: text with `<%= expr %>` (value), `<% code %>` (statements), `<%# comment %>`,
/// `<%-`/`-%>` trimming, and an optional `<%- | params | -%>` header. Rendered by turning the
/// template into Puppet code that appends to a buffer, parsed with our parser.
extension Compiler {
    func renderEPP(_ template: String, path: String, _ arguments: Value, _ e: Expr, scope: Scope? = nil) throws -> String {
        let chunks = try eppChunks(template, e)
        // Parameters from the header, bound from the arguments hash.
        let local = Scope(kind: .local, parent: scope ?? topScope, dynamicParent: scope ?? topScope, container: scope?.container ?? mainClass)
        var args = OrderedHash()
        if case let .hash(h) = arguments { args = h }
        var body = chunks
        if let first = chunks.first, case let .code(code) = first, code.trimmingBlanks().hasPrefix("|") {
            body.removeFirst()
            let header = code.trimmingBlanks()
            let file = SourceFile(path: path, text: "function epp_parameters(\(header.dropFirst().dropLast())) {}")
            let program = Parser.parse(file, validate: false)
            if let d = program.diagnostics.first { throw CompileError("EPP parameter list: \(d.message)", file: currentFile, offset: e.range.start) }
            if let fn = program.body, case let .functionDefinition(_, params, _, _) = fn.kind {
                for p in params {
                    if let v = args[.string(p.name)] { local.variables[p.name] = v }
                    else if let d = p.value { local.variables[p.name] = try evaluate(d, local) }
                    // Puppet names the template's parameter list `lambda`.
                    else { throw error("Evaluation Error: Error while evaluating a Function Call, lambda: expects a value for parameter '\(p.name)'", e) }
                    if let t = p.type, case let .type(pt) = try evaluate(t, local), let v = local.variables[p.name], try !isInstance(v, of: pt) {
                        throw error("Evaluation Error: Error while evaluating a Function Call, lambda: parameter '\(p.name)' " + (try mismatch(pt, v)), e)
                    }
                }
            }
        } else {
            for (k, v) in args.pairs { if case let .string(name) = k { local.variables[name] = v } }
        }
        var out = ""
        var code = ""
        // Build one Puppet program so that control flow can span chunks.
        for (i, chunk) in body.enumerated() {
            switch chunk {
            case let .text(t): code += "__epp_text(\(i))\n"; _ = t
            case let .value(v): code += "__epp_out(\(v))\n"
            case let .code(c): code += c + "\n"
            }
        }
        let file = SourceFile(path: path, text: code)
        let program = Parser.parse(file, validate: false)
        if let d = program.diagnostics.first(where: { $0.severity == .error }) {
            throw CompileError("EPP template \(path): \(d.message)", file: currentFile, offset: e.range.start)
        }
        eppStack.append((body, ""))
        defer { eppStack.removeLast() }
        let saved = currentFile
        currentFile = file
        defer { currentFile = saved }
        if let b = program.body { _ = try evaluateStatementsValue(b, local) }
        out = eppStack[eppStack.count - 1].output
        return out
    }

    enum EPPChunk { case text(String), value(String), code(String) }

    func eppChunks(_ template: String, _ e: Expr) throws -> [EPPChunk] {
        var chunks: [EPPChunk] = []
        var rest = Substring(template)
        var trimNextNewline = false
        while !rest.isEmpty {
            guard let open = rest.range(of: "<%") else {
                var t = String(rest)
                if trimNextNewline, t.hasPrefix("\n") { t.removeFirst() }
                chunks.append(.text(t))
                break
            }
            var text = String(rest[..<open.lowerBound])
            if trimNextNewline, text.hasPrefix("\n") { text.removeFirst() }
            trimNextNewline = false
            rest = rest[open.upperBound...]
            if rest.hasPrefix("%") {  // <%% is a literal <%
                chunks.append(.text(text + "<%"))
                rest = rest.dropFirst()
                continue
            }
            var trimLeft = false
            if rest.hasPrefix("-") { trimLeft = true; rest = rest.dropFirst() }
            if trimLeft {
                // Remove blanks before the tag on its line.
                while let l = text.last, l == " " || l == "\t" { text.removeLast() }
            }
            if !text.isEmpty { chunks.append(.text(text)) }
            guard let close = rest.range(of: "%>") else { throw error("EPP: unclosed tag", e) }
            var inner = String(rest[..<close.lowerBound])
            rest = rest[close.upperBound...]
            if inner.hasSuffix("-") { inner.removeLast(); trimNextNewline = true }
            if inner.hasPrefix("#") { continue }
            if inner.hasPrefix("=") {
                chunks.append(.value(String(inner.dropFirst())))
            } else {
                chunks.append(.code(inner))
            }
        }
        return chunks
    }
}
