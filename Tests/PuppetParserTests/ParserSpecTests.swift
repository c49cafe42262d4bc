import Foundation
import XCTest
@testable import PuppetParser

/// Cases transcribed from Puppet's own parser specs (fixtures/parser-spec/*.json, each naming its
/// origin file): the source must dump to exactly Puppet's S-expression, or fail to parse.
final class ParserSpecTests: XCTestCase {
    struct SpecFile: Decodable {
        let origin: String
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let source: String
        let dump: String?
        let error: String?
        /// What Debian's Puppet 7 makes of the source (scripts/oracle-parser-spec.rb): the oracle.
        let puppet7_dump: String?
        let puppet7_error: String?
        let puppet7_valid: Bool?
    }

    func testTranscribedPuppetParserSpecs() throws {
        let files = Fixtures.files(under: Fixtures.url("fixtures/parser-spec"), suffix: ".json")
        var total = 0
        var failures: [String] = []
        for url in files {
            let spec = try JSONDecoder().decode(SpecFile.self, from: Data(contentsOf: url))
            for c in spec.cases {
                total += 1
                let program = Parser.parse(path: "spec.pp", text: c.source, validate: false)
                let where_ = "\(spec.origin): \(c.name)"
                if let valid = c.puppet7_valid {
                    let validated = Parser.parse(path: "spec.pp", text: c.source)
                    if validated.hasErrors == valid {
                        failures.append("\(where_)\n  source: \(c.source)\n  Puppet 7 \(valid ? "accepts" : "rejects") it; we \(valid ? "reject" : "accept") it \(validated.diagnostics.first?.message ?? "")")
                    }
                }
                if let expected = c.puppet7_dump ?? c.dump {
                    if program.hasErrors {
                        failures.append("\(where_)\n  source: \(c.source)\n  unexpected error: \(program.diagnostics[0].message)")
                    } else {
                        let got = Dumper.dump(program)
                        if got != expected {
                            failures.append("\(where_)\n  source: \(c.source)\n  expected: \(expected)\n  got:      \(got)")
                        }
                    }
                } else if c.puppet7_error != nil || c.error != nil {
                    if !program.hasErrors {
                        failures.append("\(where_)\n  source: \(c.source)\n  expected an error (\(c.error!)), got: \(Dumper.dump(program))")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(total, 200, "expected at least 200 transcribed cases")
        XCTAssert(failures.isEmpty, "\(failures.count) of \(total) cases failed:\n" + failures.joined(separator: "\n"))
    }
}
