import Foundation
import XCTest
@testable import PuppetParser

/// Our S-expression of every corpus manifest (537 files) and tree-sitter corpus case (174, keyed
/// `FILE#INDEX`) equals Puppet 7's own ModelTreeDumper output, compared by fingerprint (fixtures/corpus/puppet-dumps.tsv, written by
/// scripts/oracle-corpus-dumps.rb; `ruby scripts/puppet-dump.rb FILE` shows Puppet's dump).
final class OracleDumpTests: XCTestCase {
    static func fnv1a64(_ s: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100000001b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    func testDumpsEqualPuppetsOnTheCorpus() throws {
        let text = try String(contentsOf: Fixtures.url("fixtures/corpus/puppet-dumps.tsv"), encoding: .utf8)
        var checked = 0
        var mismatches: [String] = []
        for row in text.split(separator: "\n") {
            let f = row.split(separator: "\t").map(String.init)
            guard f.count == 3 else { continue }
            let program: Program
            if let hash = f[0].lastIndex(of: "#") {
                let url = Fixtures.corpus.appendingPathComponent(String(f[0][..<hash]))
                let cases = CorpusTests.treeSitterCases(try String(contentsOf: url, encoding: .utf8))
                program = Parser.parse(path: f[0], text: cases[Int(f[0][f[0].index(after: hash)...])!].1, validate: false)
            } else {
                program = Parser.parse(try Fixtures.source(Fixtures.corpus.appendingPathComponent(f[0])), validate: false)
            }
            checked += 1
            if program.hasErrors {
                mismatches.append("\(f[0]): \(program.diagnostics[0].rendered())")
                continue
            }
            let dump = Dumper.dump(program)
            if Self.fnv1a64(dump) != f[1] {
                mismatches.append("\(f[0]): dump differs (ours \(dump.utf8.count) bytes, Puppet's \(f[2]))")
            }
        }
        XCTAssertEqual(checked, 711)
        XCTAssert(mismatches.isEmpty, "\(mismatches.count) of \(checked):\n" + mismatches.joined(separator: "\n"))
    }
}
