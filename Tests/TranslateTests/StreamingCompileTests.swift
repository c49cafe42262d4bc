import Foundation
import XCTest
import PuppetParser
@testable import Translate

/// Compiling a manifest while it is parsed (Compiler.compile(streaming:)) gives the catalog the
/// plain compile gives, byte for byte, and fails where the plain compile fails (the command
/// then compiles the plain way for the reference message).
final class StreamingCompileTests: XCTestCase {
    func compilers(_ text: String, path: String, certname: String = "oracle.example.com", storeconfigs: Bool = false,
                   facts extra: [String: Value] = [:]) -> (plain: Compiler, streaming: Compiler, program: Program, feed: StatementFeed) {
        let source = SourceFile(path: path, text: text)
        var facts = Facts.oracle(certname: certname)
        for (k, v) in extra { facts[k] = v }
        let options = Compiler.Options(certname: certname, facts: facts, modulePath: [Paths.url("fixtures/puppet/modules").path],
                                       storeconfigs: storeconfigs)
        return (Compiler(options: options, mainFile: source), Compiler(options: options, mainFile: source),
                Parser.parse(source), StatementFeed(parsing: source))
    }

    func testFixturesCompileTheSameStreamed() throws {
        var same = 0, bothFail = 0
        for url in Paths.files("fixtures/puppet", suffix: ".pp") {
            let name = url.lastPathComponent
            var golden = OrderedHash()
            if let data = try? Data(contentsOf: url.deletingPathExtension().appendingPathExtension("json")),
               case let .hash(h) = try JSONText.parse(String(decoding: data, as: UTF8.self), path: name) { golden = h }
            let (certname, store, factsFile) = CatalogFixtureTests.options(golden)
            let extra = try factsFile.map { try Facts.load(path: Paths.url($0).path) } ?? [:]
            let c = compilers(String(decoding: try Data(contentsOf: url), as: UTF8.self), path: "fixtures/puppet/" + name,
                              certname: certname, storeconfigs: store, facts: extra)
            let plain = c.program.hasErrors ? nil : try? c.plain.compile(c.program)
            let streamed = try? c.streaming.compile(streaming: c.feed)
            switch (plain, streamed) {
            case let (p?, s?):
                XCTAssertEqual(s.json(), p.json(), name)
                same += 1
            case (nil, nil): bothFail += 1
            case (_?, nil): XCTFail("\(name): compiles, but not streamed")
            case (nil, _?): XCTFail("\(name): fails, but compiles streamed")
            }
        }
        print("streamed compile: \(same) fixtures the same, \(bothFail) fail both ways")
        XCTAssertGreaterThan(same, 300)
        XCTAssertGreaterThan(bothFail, 80)
    }

    /// Built-in resources and references to their types never wait for the rest of the file;
    /// a class, define, function or type alias defined further down is found by waiting.
    func testOnlyLaterDefinitionsWait() throws {
        let builtins = """
        file { '/tmp/a': ensure => file }
        exec { 'e': command => '/bin/true', require => File['/tmp/a'] }
        package { 'p': require => Exec['e'] }
        service { 's': require => Package['p'] }
        notify { 'n': message => 'x' }
        """
        var c = compilers(builtins, path: "b.pp")
        _ = try c.streaming.compile(streaming: c.feed)
        XCTAssertFalse(c.streaming.waitedForWholeMainManifest)

        for later in ["include later\nclass later { notify { 'in later': } }",
                      "later { 'x': }\ndefine later() { notify { \"in ${title}\": } }",
                      "notify { 'n': message => double(2) }\nfunction double($x) { $x * 2 }",
                      "notify { 'n': message => 5 =~ Later }\ntype Later = Integer[1, 9]"] {
            c = compilers(later, path: "later.pp")
            let streamed = try c.streaming.compile(streaming: c.feed)
            XCTAssertTrue(c.streaming.waitedForWholeMainManifest, later)
            XCTAssertEqual(streamed.json(), try c.plain.compile(c.program).json(), later)
        }
    }

    /// A parse error anywhere, even after statements were evaluated, is what the compile reports.
    func testParseErrorAfterEvaluatedStatements() {
        var text = ""
        for i in 0..<2000 { text += "notify { 'n\(i)': }\n" }
        let c = compilers(text + "notify { 'late': message => }\n", path: "late-error.pp")
        XCTAssertThrowsError(try c.streaming.compile(streaming: c.feed)) { XCTAssert($0 is ParseFailed, "\($0)") }
        XCTAssertTrue(c.feed.program.hasErrors)
    }
}
