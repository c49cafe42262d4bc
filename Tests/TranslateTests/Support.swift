import Foundation
import XCTest
import PuppetParser
@testable import Translate

enum Paths {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func url(_ relative: String) -> URL { repoRoot.appendingPathComponent(relative) }

    static func files(_ dir: String, suffix: String) -> [URL] {
        let base = url(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { base.appendingPathComponent($0) }
    }
}

/// Compiles Puppet code with the oracle's facts (what the golden files were made with).
func compileForTest(_ text: String, path: String = "-e", certname: String = "oracle.example.com", modulePath: [String] = [],
                    storeconfigs: Bool = false, extraFacts: [String: Value] = [:]) throws -> Catalog {
    let source = SourceFile(path: path, text: text)
    let program = Parser.parse(source)
    if let d = program.diagnostics.first(where: { $0.severity == .error }) {
        throw CompileError(d.message, file: source, offset: d.offset)
    }
    var facts = Facts.oracle(certname: certname)
    for (k, v) in extraFacts { facts[k] = v }
    let options = Compiler.Options(certname: certname, facts: facts, modulePath: modulePath,
                                   storeconfigs: storeconfigs)
    return try Compiler(options: options, mainFile: source).compile(program)
}

/// An error message without Puppet's wrappers (`Evaluation Error: `, `Error while evaluating
/// a Resource Statement, `), its location and node, and with runs of white space as one
/// space (scripts/corpus-catalog-report.py's `error_core`).
func errorCore(_ message: String) -> String {
    var m = message.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    while let r = m.range(of: #" \((file|line): [^)]*\)"#, options: .regularExpression) { m.removeSubrange(r) }
    if let r = m.range(of: #" on node \S+$"#, options: .regularExpression) { m.removeSubrange(r) }
    while true {
        let before = m
        for prefix in ["Evaluation Error: ", "Error while evaluating a Resource Statement, ", "Error while evaluating a Function Call, ",
                       "Could not parse for environment production: "] where m.hasPrefix(prefix) {
            m.removeFirst(prefix.count)
        }
        if m == before { return m.trimmingCharacters(in: .whitespaces) }
    }
}

