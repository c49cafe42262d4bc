import Foundation
import Graph
import XCTest
@testable import Engine

/// fixtures/yaml: graphs that load and run (twice: the second run must change only what the
/// fixture's `expect:` comment says, e.g. unguarded execs), and malformed graphs that must fail
/// with the positioned error in their `.err` file.
final class YAMLFixtureTests: XCTestCase {
    struct Expect {
        var values: [String: Int] = [:]
        init(_ comment: String?) {
            guard let c = comment, let r = c.range(of: "expect:") else { return }
            for part in c[r.upperBound...].split(separator: " ") {
                let kv = part.split(separator: "=")
                if kv.count == 2, let n = Int(kv[1]) { values[String(kv[0])] = n }
            }
        }
    }

    func testGoodFixturesConvergeAndAreIdempotent() async throws {
        let fixtures = Paths.files("fixtures/yaml", suffix: ".yaml")
        XCTAssertGreaterThanOrEqual(fixtures.count, 15)
        // The fixtures' files live below this directory, which they expect to exist.
        try FileManager.default.createDirectory(atPath: "/tmp/mgmt-puppet-yaml", withIntermediateDirectories: true)
        for url in fixtures {
            let name = url.deletingPathExtension().lastPathComponent
            try? FileManager.default.removeItem(atPath: "/tmp/mgmt-puppet-yaml/\(name)")
            let text = try String(contentsOf: url, encoding: .utf8)
            let g = try YAMLDecoder.decode(text)
            let expect = Expect(g.comment)
            XCTAssertNotNil(expect.values["changed"], "\(name): the comment needs 'expect: changed=N'")
            let first = try await runGraph(text)
            XCTAssertEqual(first.failed, [], name)
            XCTAssertEqual(first.blocked, [], name)
            XCTAssertEqual(first.resources, expect.values["resources"], "\(name): resources")
            XCTAssertEqual(first.changed, expect.values["changed"], "\(name): changed on the first run")
            XCTAssertEqual(first.converged, first.resources, name)
            checkFiles(g, name)
            if let rerun = expect.values["rerun-changed"] {
                let second = try await runGraph(text)
                XCTAssertEqual(second.changed, rerun, "\(name): changed on the second run")
                XCTAssertEqual(second.failed, [], name)
            }
        }
    }

    /// Files with `content` hold it; `state: absent` ones are gone; directories are directories.
    func checkFiles(_ g: Graph, _ name: String) {
        for r in g.resources where r.kind == "file" && r.meta?.noop != true {
            guard let e = try? FileResource(r) else { XCTFail("\(name): \(r.ref)"); continue }
            if e.state == .absent {
                XCTAssertFalse(exists(e.bare), "\(name): \(e.path) should be absent")
            } else if e.isDirectory {
                var isDir: ObjCBool = false
                XCTAssertTrue(FileManager.default.fileExists(atPath: e.bare, isDirectory: &isDir) && isDir.boolValue, "\(name): \(e.path)")
            } else if let content = e.content, e.replace {
                XCTAssertEqual(read(e.bare), String(decoding: content, as: UTF8.self), "\(name): \(e.path)")
            }
        }
    }

    func testFanInWaitsForEveryParentAndFanOutFollows() async throws {
        try? FileManager.default.removeItem(atPath: "/tmp/mgmt-puppet-yaml/fan-in-out")
        try FileManager.default.createDirectory(atPath: "/tmp/mgmt-puppet-yaml", withIntermediateDirectories: true)
        let text = try String(contentsOf: Paths.repoRoot.appendingPathComponent("fixtures/yaml/fan-in-out.yaml"), encoding: .utf8)
        let summary = try await runGraph(text)
        XCTAssertEqual(summary.failed, [])
        let lines = (read("/tmp/mgmt-puppet-yaml/fan-in-out/order") ?? "").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.sorted(), ["a", "b", "c", "d", "join"])
        guard let join = lines.firstIndex(of: "join") else { return XCTFail("join did not run: \(lines)") }
        // b sleeps 0.2 s first: join must still wait for it.
        XCTAssertLessThan(lines.firstIndex(of: "a")!, join)
        XCTAssertLessThan(lines.firstIndex(of: "b")!, join)
        XCTAssertGreaterThan(lines.firstIndex(of: "c")!, join)
        XCTAssertGreaterThan(lines.firstIndex(of: "d")!, join)
    }

    func testMalformedGraphsFailWithPositions() throws {
        let bad = Paths.files("fixtures/yaml/bad", suffix: ".yaml")
        XCTAssertGreaterThanOrEqual(bad.count, 20)
        for url in bad {
            let expected = try String(contentsOf: url.deletingPathExtension().appendingPathExtension("err"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let text = try String(contentsOf: url, encoding: .utf8)
            var got = "no error"
            do {
                _ = try EngineGraph(try YAMLDecoder.decode(text))
            } catch let e as GraphError {
                got = e.description
            } catch let e as EngineGraph.Failure {
                let first = e.errors[0]
                got = first.position == nil ? "error: \(first.message)" : first.graphError().description
            }
            XCTAssertEqual(got, expected, url.lastPathComponent)
        }
    }

    /// A large graph's resources are built in two halves at once: the same vertices, edges and
    /// errors (in the same order) as one pass, on every fixture graph, good and malformed.
    func testBuildingInHalvesMatchesOnePass() throws {
        func outcome(_ graph: Graph, _ halvesFrom: Int) -> String {
            do {
                let g = try EngineGraph(graph, halvesFrom: halvesFrom)
                return g.vertices.map { "\($0.ref)" }.joined(separator: ",") + "|" + g.edges.map { "\($0.from)>\($0.to)" }.joined(separator: ",")
            } catch let e as EngineGraph.Failure {
                return "failure: " + e.errors.map { "\($0.message)@\($0.position?.line ?? 0):\($0.position?.column ?? 0)" }.joined(separator: ";")
            } catch {
                return "other: \(error)"
            }
        }
        var compared = 0, failing = 0
        for url in Paths.files("fixtures/yaml", suffix: ".yaml") + Paths.files("fixtures/yaml/bad", suffix: ".yaml") {
            guard let graph = try? YAMLDecoder.decode(try String(contentsOf: url, encoding: .utf8)), graph.resources.count >= 2 else { continue }
            let one = outcome(graph, .max)
            XCTAssertEqual(outcome(graph, 2), one, url.lastPathComponent)
            compared += 1
            if one.hasPrefix("failure: ") { failing += 1 }
        }
        XCTAssertGreaterThan(compared, 20)
        XCTAssertGreaterThan(failing, 3)
    }
}
