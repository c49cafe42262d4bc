import XCTest
import Graph
@testable import Translate

/// Large catalogs and graphs are written in two halves on two threads (`json`, the YAML
/// encoder); the fixtures are too small to take that path, so this test forces it and requires
/// the same bytes as one pass.
final class HalvesTests: XCTestCase {
    func testHalvesWriteTheSameBytesAsOnePass() throws {
        var manifest = "file { '/tmp/halves': ensure => directory }\n"
        for i in 0..<301 {
            manifest += "file { '/tmp/halves/f\(i)': content => \"line \\\"\(i)\\\"\\n\", tag => ['t\(i % 3)'], require => File['/tmp/halves'] }\n"
            manifest += "exec { 'e\(i)': command => '/bin/echo \(i) | cat', subscribe => File['/tmp/halves/f\(i)'] }\n"
        }
        let catalog = try compileForTest(manifest)
        for pretty in [true, false] {
            let onePass = catalog.json(pretty: pretty, halvesFrom: .max)
            XCTAssertNil(firstDifference(Array(catalog.json(pretty: pretty, halvesFrom: 2).utf8), Array(onePass.utf8)), "pretty: \(pretty)")
            XCTAssertTrue(onePass.contains("line \\\"300\\\"\\n"))
        }
        var mapper = Mapper(options: Mapper.Options(graphName: "halves"))
        let graph = mapper.map(catalog).graph
        XCTAssertGreaterThan(graph.edges.count, 600)
        // Mapped in two halves at once, the same graph.
        var halvesMapper = Mapper(options: Mapper.Options(graphName: "halves", halvesFrom: 2))
        XCTAssertEqual(halvesMapper.map(catalog).graph, graph)
        var onePass = YAMLBytes(), halves = YAMLBytes()
        YAMLEncoder.encode(graph, into: &onePass, halvesFrom: .max)
        YAMLEncoder.encode(graph, into: &halves, halvesFrom: 2)
        XCTAssertNil(firstDifference(halves.bytes, onePass.bytes))
        XCTAssertEqual(try YAMLDecoder.decode(String(decoding: halves.bytes, as: UTF8.self)), graph.normalized())
    }
}

/// Where two byte strings first differ, with a little context (nil when equal).
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    guard a != b else { return nil }
    let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    func around(_ x: [UInt8]) -> String { String(decoding: x[max(0, i - 40)..<min(x.count, i + 40)], as: UTF8.self) }
    return "byte \(i) of \(a.count)/\(b.count): …\(around(a))… vs …\(around(b))…"
}
