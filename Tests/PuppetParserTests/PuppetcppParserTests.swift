import Foundation
import XCTest
@testable import PuppetParser

/// puppetcpp's parser fixtures (.pp + .baseline, Apache-2.0): a baseline starting with `Error:`
/// means rejected. puppetcpp was an independent Puppet 4 reimplementation and rejects some inputs
/// that Puppet 7 accepts (and the reverse); where the two disagree we follow Puppet 7, whose
/// verdicts are recorded in fixtures/corpus/puppet-verdicts.tsv. Everywhere else we must agree
/// with the baseline.
final class PuppetcppParserTests: XCTestCase {
    func testAcceptRejectAgreesWithBaselines() throws {
        let dir = Fixtures.corpus.appendingPathComponent("puppetcpp-fixtures/lib/tests/fixtures/compiler/parser")
        var agreeCpp = 0, followPuppet = 0, total = 0
        var failures: [String] = []
        for url in Fixtures.files(under: dir, suffix: ".pp") {
            let baselineURL = url.deletingPathExtension().appendingPathExtension("baseline")
            guard let baseline = try? String(contentsOf: baselineURL, encoding: .utf8) else { continue }
            total += 1
            let cppRejects = baseline.hasPrefix("Error:")
            let ours = Parser.parse(try Fixtures.source(url)).hasErrors
            let key = Fixtures.corpusKey(url)
            guard let puppet = Fixtures.puppetVerdicts[key] else {
                failures.append("\(key): no Puppet verdict recorded")
                continue
            }
            let puppetRejects = puppet.exit != 0
            if cppRejects == puppetRejects {
                if ours == cppRejects { agreeCpp += 1 } else {
                    failures.append("\(url.lastPathComponent): puppetcpp and Puppet 7 both \(cppRejects ? "reject" : "accept"); we \(ours ? "reject" : "accept")")
                }
            } else {
                if ours == puppetRejects { followPuppet += 1 } else {
                    failures.append("\(url.lastPathComponent): Puppet 7 \(puppetRejects ? "rejects" : "accepts") (puppetcpp does not); we \(ours ? "reject" : "accept")")
                }
            }
        }
        print("puppetcpp parser fixtures: \(total); agree with puppetcpp and Puppet 7: \(agreeCpp); follow Puppet 7 where puppetcpp differs: \(followPuppet)")
        XCTAssertGreaterThanOrEqual(total, 100)
        XCTAssert(failures.isEmpty, failures.joined(separator: "\n"))
    }
}
