import Foundation
import XCTest
@testable import PuppetParser

/// Real manifests and other parsers' fixtures (../shared/puppet-corpus; origins and licenses in
/// its README).
final class CorpusTests: XCTestCase {
    /// All 441 module manifests parse and validate with no error.
    func testModuleManifestsParse() throws {
        let files = Fixtures.files(under: Fixtures.corpus.appendingPathComponent("modules"), suffix: ".pp")
        XCTAssertEqual(files.count, 441)
        for url in files {
            let program = Parser.parse(try Fixtures.source(url))
            XCTAssertFalse(program.hasErrors, program.diagnostics.first.map { $0.rendered() } ?? "")
        }
    }

    /// The lexer fixtures of Puppet and language-puppet: accepted or rejected as Puppet 7 does
    /// (recorded in fixtures/corpus/puppet-verdicts.tsv), at Puppet's line; the removed
    /// constructs get an error that names them.
    func testLexerFixturesAgreeWithPuppet() throws {
        let dirs = ["puppet-lexer-fixtures", "language-puppet-lexer"]
        var checked = 0
        for d in dirs {
            for url in Fixtures.files(under: Fixtures.corpus.appendingPathComponent(d), suffix: ".pp") {
                let key = Fixtures.corpusKey(url)
                guard let verdict = Fixtures.puppetVerdicts[key] else {
                    XCTFail("no Puppet verdict recorded for \(key); run scripts/oracle-corpus-verdicts.sh")
                    continue
                }
                checked += 1
                let program = Parser.parse(try Fixtures.source(url))
                XCTAssertEqual(program.hasErrors, verdict.exit != 0, "\(key): Puppet exit \(verdict.exit); ours: \(program.diagnostics.first?.rendered() ?? "no error")")
                if program.hasErrors, verdict.exit != 0, let line = verdict.line {
                    XCTAssertEqual(program.diagnostics[0].location.line, line, "\(key): first error line")
                }
            }
        }
        XCTAssertEqual(checked, 96)
    }

    func testRemovedConstructsAreNamed() {
        let nodeInherits = Parser.parse(path: "n.pp", text: "node 'a' inherits 'b' { }\n")
        XCTAssertTrue(nodeInherits.diagnostics.first?.message.contains("Node inheritance is not supported") ?? false)
        let imp = Parser.parse(path: "i.pp", text: "import 'nodes/*.pp'\n")
        XCTAssertTrue(imp.diagnostics.first?.message.contains("'import' has been discontinued") ?? false)
        XCTAssertEqual(imp.diagnostics.first?.location.column, 1)
    }

    /// Every input of the tree-sitter grammars' corpora parses (cases whose expected tree has
    /// ERROR or MISSING nodes are error-recovery tests and are skipped). Only syntax is checked:
    /// several cases are fragments that Puppet's validator would reject as having no effect.
    func testTreeSitterCorpusInputsParse() throws {
        var cases = 0
        for d in ["tree-sitter-puppet-smoeding", "tree-sitter-puppet"] {
            for url in Fixtures.files(under: Fixtures.corpus.appendingPathComponent(d), suffix: ".txt") {
                let text = try String(contentsOf: url, encoding: .utf8)
                for (name, input, tree) in Self.treeSitterCases(text) {
                    if tree.contains("ERROR") || tree.contains("MISSING") { continue }
                    cases += 1
                    let program = Parser.parse(path: "\(url.lastPathComponent): \(name)", text: input, validate: false)
                    XCTAssertFalse(program.hasErrors, "\(url.lastPathComponent) '\(name)':\n\(input)\n\(program.diagnostics.first?.rendered() ?? "")")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(cases, 170)
    }

    /// Splits tree-sitter's test format: `===` name `===`, input, `---`, expected tree.
    static func treeSitterCases(_ text: String) -> [(String, String, String)] {
        var out: [(String, String, String)] = []
        let lines = text.components(separatedBy: "\n")
        var i = 0
        func isRule(_ s: String, _ c: Character) -> Bool { s.count >= 3 && s.allSatisfy { $0 == c } }
        while i < lines.count {
            guard isRule(lines[i], "=") else { i += 1; continue }
            let name = i + 1 < lines.count ? lines[i + 1] : ""
            i += 3
            var input: [String] = []
            while i < lines.count, !isRule(lines[i], "-") { input.append(lines[i]); i += 1 }
            i += 1
            var tree: [String] = []
            while i < lines.count, !isRule(lines[i], "=") { tree.append(lines[i]); i += 1 }
            out.append((name, input.joined(separator: "\n"), tree.joined(separator: "\n")))
        }
        return out
    }
}
