import Foundation
import XCTest
@testable import PuppetParser

/// The parser must never trap: truncated and mutated real manifests, deep nesting and binary
/// garbage all end in a result (the libFuzzer target in Sources/PuppetParserFuzz goes further).
final class RobustnessTests: XCTestCase {
    /// A small deterministic generator (SplitMix64) so that failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    func testTruncatedAndMutatedCorpusFilesDoNotTrap() throws {
        let files = Fixtures.files(under: Fixtures.corpus.appendingPathComponent("modules/puppetlabs-apache/manifests"), suffix: ".pp")
        var rng = Rng(state: 42)
        let alphabet = Array("{}[]()$\"'@|<>-~=:;,.#/\\\n x".utf8)
        var runs = 0
        for url in files.prefix(40) {
            let bytes = [UInt8](try Data(contentsOf: url))
            for _ in 0..<10 {
                var b = Array(bytes.prefix(rng.below(bytes.count + 1)))
                for _ in 0..<rng.below(4) where !b.isEmpty {
                    b[rng.below(b.count)] = alphabet[rng.below(alphabet.count)]
                }
                let program = Parser.parse(SourceFile(path: "m.pp", bytes: b))
                if !program.hasErrors { _ = Dumper.dump(program) }
                for d in program.diagnostics { _ = d.rendered() }
                runs += 1
            }
        }
        XCTAssertEqual(runs, 400)
    }

    func testDeepNestingIsAnErrorNotACrash() {
        for opener in ["[", "(", "{", "!", "-", "if $a {", "\"${"] {
            let text = String(repeating: opener, count: 20_000) + "1"
            let program = Parser.parse(path: "deep.pp", text: text)
            XCTAssertTrue(program.hasErrors, "nesting with \(opener)")
        }
    }

    func testInvalidUTF8AndControlBytes() {
        let program = Parser.parse(SourceFile(path: "bin.pp", bytes: [0xFF, 0xFE, 0x00, 0x24, 0x7B, 0xC3]))
        XCTAssertTrue(program.hasErrors)
    }
}
