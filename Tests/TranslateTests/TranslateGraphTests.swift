import Foundation
import XCTest
import Graph
import PuppetParser
@testable import Translate

/// Translated graphs have Puppet's own relationship graph shape: for every fixture the oracle
/// compiled, our edges (containers as admissible/completed noop pairs, refresh as `notify`)
/// equal the oracle's `graph` edges minus the autorequire ones (the engine adds those at run
/// time). And the YAML is stable: encode → decode → encode gives the same bytes.
final class TranslateGraphTests: XCTestCase {
    func testEdgesEqualPuppetsRelationshipGraph() throws {
        var checked = 0
        var problems: [String] = []
        let known = CatalogFixtureTests.knownDifferences()
        for url in Paths.files("fixtures/puppet", suffix: ".pp") {
            let name = url.lastPathComponent
            guard known[name] == nil,
                  let data = try? Data(contentsOf: url.deletingPathExtension().appendingPathExtension("json")),
                  case let .hash(golden) = try JSONText.parse(String(decoding: data, as: UTF8.self), path: name),
                  golden[.string("oracle_exit")] == .integer(0), case let .hash(g)? = golden[.string("graph")] else { continue }
            let catalog = try CatalogFixtureTests.compileFixture(url, golden)
            var mapper = Mapper(options: Mapper.Options(graphName: "test", keepPuppetNames: true))
            let (graph, names) = mapper.map(catalog)
            checked += 1
            let ours = Set(graph.edges.map { "\(names[$0.from] ?? "?") -> \(names[$0.to] ?? "?") refresh=\($0.notify)" })
            var theirs = Set<String>()
            var autoPairs = Set<String>()
            for e in g[.string("edges")]?.arrayValue ?? [] {
                if case let .hash(h) = e, h[.string("auto")] == .boolean(true) {
                    autoPairs.insert("\(h[.string("from")]!.interpolated) -> \(h[.string("to")]!.interpolated)")
                }
                guard case let .hash(h) = e, h[.string("auto")] != .boolean(true) else { continue }
                theirs.insert("\(h[.string("from")]!.interpolated) -> \(h[.string("to")]!.interpolated) refresh=\(h[.string("refresh")]!.interpolated)")
            }
            // --flatten equals the oracle's flat_edges.
            let flat = Mapper.flatten(graph)
            let oursFlat = Set(flat.edges.map { "\(names[$0.from] ?? "?") -> \(names[$0.to] ?? "?") refresh=\($0.notify)" })
            var theirsFlat = Set<String>()
            for e in golden[.string("flat_edges")]?.arrayValue ?? [] {
                guard case let .hash(h) = e else { continue }
                // Autorequire edges are the engine's business; the oracle marks them only in `graph`.
                let key = "\(h[.string("from")]!.interpolated) -> \(h[.string("to")]!.interpolated)"
                if autoPairs.contains(key) { continue }
                theirsFlat.insert(key + " refresh=\(h[.string("refresh")]!.interpolated)")
            }
            if oursFlat != theirsFlat, autoPairs.isEmpty {
                let missing = theirsFlat.subtracting(oursFlat).sorted().prefix(3).map { "  flat missing " + $0 }
                let extra = oursFlat.subtracting(theirsFlat).sorted().prefix(3).map { "  flat extra " + $0 }
                problems.append(name + ":\n" + (missing + extra).joined(separator: "\n"))
            }
            if ours != theirs {
                let missing = theirs.subtracting(ours).sorted().prefix(4).map { "  missing " + $0 }
                let extra = ours.subtracting(theirs).sorted().prefix(4).map { "  extra " + $0 }
                problems.append(name + ":\n" + (missing + extra).joined(separator: "\n"))
            }
            // Byte-stable YAML that reads back as the same graph.
            let yaml = YAMLEncoder.encode(graph)
            do {
                let back = try YAMLDecoder.decode(yaml)
                if back.normalized() != graph.normalized() { problems.append("\(name): YAML does not read back as the same graph") }
                if YAMLEncoder.encode(back) != yaml { problems.append("\(name): YAML is not byte-stable") }
            } catch {
                problems.append("\(name): our YAML does not decode: \(error)")
            }
        }
        print("translated graphs: \(checked - problems.count) of \(checked) have Puppet's edges")
        XCTAssertGreaterThan(checked, 100)
        XCTAssert(problems.isEmpty, "\(problems.count) of \(checked):\n" + problems.joined(separator: "\n"))
    }

    /// fixtures/puppet/NAME.yaml (scripts/regenerate-graph-goldens.sh) equals our translation
    /// byte for byte.
    func testGraphGoldensAreByteIdentical() throws {
        let fm = FileManager.default
        let saved = fm.currentDirectoryPath
        fm.changeCurrentDirectoryPath(Paths.repoRoot.path)
        defer { fm.changeCurrentDirectoryPath(saved) }
        var checked = 0
        var problems: [String] = []
        for url in Paths.files("fixtures/puppet", suffix: ".yaml") {
            let name = url.deletingPathExtension().lastPathComponent
            guard case let .hash(golden) = try JSONText.parse(String(decoding: try Data(contentsOf: Paths.url("fixtures/puppet/\(name).json")), as: UTF8.self), path: name) else { continue }
            let (certname, store, factsFile) = CatalogFixtureTests.options(golden)
            let catalog = try compileForTest(String(decoding: try Data(contentsOf: Paths.url("fixtures/puppet/\(name).pp")), as: UTF8.self),
                                             path: "fixtures/puppet/\(name).pp", certname: certname, modulePath: ["fixtures/puppet/modules"],
                                             storeconfigs: store, extraFacts: try factsFile.map { try Facts.load(path: $0) } ?? [:])
            var mapper = Mapper(options: Mapper.Options(graphName: "fixture", modulePath: ["fixtures/puppet/modules"]))
            let graph = mapper.map(catalog).graph
            let yaml = YAMLEncoder.encode(graph)
            // `translate` writes the mapper's graph (and a flattened one) without putting it in
            // order again (`inCodecOrder`): it must come in the codec's order.
            let sorted = graph.normalized(halvesFrom: 2)
            if graph.resources != sorted.resources || graph.edges != sorted.edges { problems.append(name + " (not in the codec's order)") }
            let flat = Mapper.flatten(graph), flatSorted = flat.normalized()
            if flat.resources != flatSorted.resources || flat.edges != flatSorted.edges { problems.append(name + " (flattened, not in order)") }
            let parts = YAMLEncoder.encodeParts(graph, halvesFrom: 2, inCodecOrder: true)
            if parts.flatMap(\.bytes) != Array(yaml.utf8) { problems.append(name + " (inCodecOrder parts)") }
            checked += 1
            if yaml != String(decoding: try Data(contentsOf: url), as: UTF8.self) { problems.append(name) }
        }
        XCTAssertGreaterThan(checked, 300)
        XCTAssert(problems.isEmpty, "graphs differ from their goldens: " + problems.joined(separator: ", "))
    }
}

/// Which execs need a shell: Ruby's rule for a one-string `Kernel.exec`, which Puppet's posix
/// provider uses.
final class ExecShellTests: XCTestCase {
    func testShellOnlyForMetacharacters() throws {
        XCTAssertEqual(Mapper.shell(for: "/usr/bin/apt-get update"), "")
        XCTAssertEqual(Mapper.shell(for: "cat /etc/*.conf"), "/bin/sh")
        XCTAssertEqual(Mapper.shell(for: "/bin/echo hi > /tmp/x"), "/bin/sh")
        XCTAssertEqual(Mapper.shell(for: "test -e /x || touch /x"), "/bin/sh")
        XCTAssertEqual(Mapper.shell(for: "FOO=1 env"), "/bin/sh")
        let catalog = try compileForTest("""
        exec { 'a': command => '/bin/true', onlyif => 'test -e /x && true', path => '/bin' }
        """)
        var mapper = Mapper(options: Mapper.Options(graphName: "g", modulePath: []))
        let exec = mapper.map(catalog).graph.resources.first { $0.kind == "exec" }!
        XCTAssertEqual(exec.params["shell"], .string(""))
        XCTAssertEqual(exec.params["ifshell"], .string("/bin/sh"))
    }
}
