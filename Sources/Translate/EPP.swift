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

extension Compiler {
    /// Puppet's heredoc syntax checkers (`@(END:json)`, `@(END:base64)`, and `x+json` alike):
    /// the text the heredoc produces must parse, or it is Puppet's error. Syntaxes without a
    /// checker in Puppet 7 pass as they are.
    func checkHeredocSyntax(_ syntax: String, _ text: String, _ e: Expr) throws {
        let kind = syntax.split(separator: "+").last.map { $0.lowercased() } ?? ""
        let prefix = "Invalid produced text having syntax: '\(syntax)'. "
        switch kind {
        case "json":
            do { _ = try JSONText.parse(text, path: "heredoc") } catch {
                throw self.error(prefix + "JSON syntax checker: Cannot parse invalid JSON string.", e)
            }
        case "base64":
            // Ruby's strict_decode64 on the text without whitespace.
            let cleaned = text.utf8.filter { $0 != 10 && $0 != 13 && $0 != 32 && $0 != 9 }
            func isAlphabet(_ c: UInt8) -> Bool {
                (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47
            }
            let body = cleaned.prefix { $0 != 61 }, padding = cleaned.count - body.count
            let valid = cleaned.count % 4 == 0 && padding <= 2 && body.allSatisfy(isAlphabet)
                && cleaned.dropFirst(body.count).allSatisfy { $0 == 61 }
            if !valid {
                throw self.error(prefix + ((cleaned.count * 8) % 6 != 0
                    ? "Base64 syntax checker: Cannot parse invalid Base64 string - padding is not correct"
                    : "Base64 syntax checker: Cannot parse invalid Base64 string - contains letters outside strict base 64 range (or whitespace)"), e)
            }
        default:
            break
        }
    }
}
