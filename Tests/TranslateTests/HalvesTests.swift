import XCTest
import Dispatch
import Synchronization
@testable import Graph
import PuppetParser
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
        // The mapper's hint of where each edge's ends are only saves work: without it, with
        // it shuffled or pointing past the list, and after the graph changed, the same bytes
        // as a graph the encoder must quote every end of.
        XCTAssertEqual(graph.edgeEndsHint?.count, graph.edges.count)
        var unhinted = graph
        unhinted.edgeEndsHint = nil
        let plain = YAMLEncoder.encode(unhinted)
        XCTAssertEqual(YAMLEncoder.encode(graph), plain)
        var shuffled = graph
        shuffled.edgeEndsHint = graph.edgeEndsHint?.reversed()
        XCTAssertEqual(YAMLEncoder.encode(shuffled), plain)
        var outside = graph
        outside.edgeEndsHint = graph.edgeEndsHint?.map { .init(from: Int($0.from) + graph.resources.count, to: -1) }
        XCTAssertEqual(YAMLEncoder.encode(outside), plain)
        var changed = graph, changedUnhinted = unhinted
        for g in [0, 1] {
            func change(_ x: inout Graph) {
                x.resources.insert(Resource(kind: "exec", name: "a-first-one"), at: 0)
                x.edges[3].to = Ref(kind: "exec", name: "a-first-one")
            }
            if g == 0 { change(&changed) } else { change(&changedUnhinted) }
        }
        XCTAssertEqual(YAMLEncoder.encode(changed), YAMLEncoder.encode(changedUnhinted))
        XCTAssertTrue(YAMLEncoder.encode(changed).contains("  to:\n    kind: \"exec\"\n    name: \"a-first-one\"\n"))
    }

    /// The resources section in two halves (translate writes it so beside the edges): joined,
    /// the bytes of one pass, where the halves meet inside a kind's list and where they meet
    /// at the start of a kind.
    func testResourcesSectionInHalvesIsTheSectionInOnePass() {
        for (execs, files) in [(3, 4), (2, 2), (1, 5), (4, 0)] {
            var resources: [Resource] = []
            for i in 0..<execs { resources.append(Resource(kind: "exec", name: "e\(i)", params: ["cmd": .string("/bin/echo \(i)")])) }
            for i in 0..<files { resources.append(Resource(kind: "file", name: "/tmp/f\(i)", params: ["content": .string("x\n")])) }
            let whole = YAMLEncoder.resourcesSection(resources)
            let parts = YAMLEncoder.resourcesSectionParts(resources, halvesFrom: 2)
            XCTAssertEqual(parts.count, 2)
            XCTAssertEqual(String(decoding: parts.flatMap { $0.bytes }, as: UTF8.self), String(decoding: whole.bytes, as: UTF8.self), "\(execs) execs, \(files) files")
            XCTAssertEqual(String(decoding: whole.bytes, as: UTF8.self).components(separatedBy: "\n  file:\n").count, files > 0 ? 2 : 1)
        }
        // A short list stays whole.
        XCTAssertEqual(YAMLEncoder.resourcesSectionParts([Resource(kind: "noop", name: "n")]).count, 1)
    }

    /// Parts filled out of order on several threads are written in place order, one write at a
    /// time; `close` waits for a place filled after it was called; after a failed write no
    /// later part is written and `close` says so.
    func testInOrderPartsWritesInPlaceOrderAndWaitsForLateParts() {
        func buffer(_ text: String) -> ByteBuffer { let b = ByteBuffer(); b.append(text); return b }
        let written = Mutex<(text: String, inWrite: Int, overlaps: Int)>(("", 0, 0))
        let parts = InOrderParts { b in
            written.withLock { $0.inWrite += 1; if $0.inWrite > 1 { $0.overlaps += 1 } }
            usleep(200)
            written.withLock { $0.text += String(decoding: b.bytes, as: UTF8.self); $0.inWrite -= 1 }
            return true
        }
        let places = (0..<40).map { _ in parts.place() }
        let late = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            late.wait()
            usleep(20_000)
            parts.fill(places[0], [buffer("<0>")])
        }
        _ = doneInParts(4) { t in
            for i in stride(from: 39 - t, through: 1, by: -4) { parts.fill(places[i], [buffer("<\(i)"), buffer(">")]) }
        }
        late.signal()
        XCTAssertEqual(written.withLock { $0.text }, "", "nothing goes before the first place is filled")
        XCTAssertTrue(parts.close())
        XCTAssertEqual(written.withLock { $0.text }, (0..<40).map { "<\($0)>" }.joined())
        XCTAssertEqual(written.withLock { $0.overlaps }, 0)

        let calls = Mutex(0)
        let failing = InOrderParts { _ in calls.withLock { $0 += 1; return $0 < 2 } }
        let p = (0..<4).map { _ in failing.place() }
        for i in p { failing.fill(i, [buffer("x")]) }
        XCTAssertFalse(failing.close())
        XCTAssertEqual(calls.withLock { $0 }, 2, "no write after the failed one")

        // The last place filled with nothing, after `close` began to wait for it (`close` on
        // a thread of its own: were it to wait for ever, the test fails instead of hanging).
        let quiet = InOrderParts { _ in true }
        let (first, last) = (quiet.place(), quiet.place())
        quiet.fill(first, [buffer("a")])
        let closed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { if quiet.close() { closed.signal() } }
        usleep(20_000)
        quiet.fill(last, [])
        XCTAssertEqual(closed.wait(timeout: .now() + 10), .success, "close returned once the last place was filled")
    }

    /// `catalog` starts writing the resources when the compiler declares them final, while the
    /// relationships are collected (with chains, whose metaparameters must already be in):
    /// the same bytes as one pass over the finished catalog.
    func testJSONStartedBeforeTheRelationshipsMatchesOnePass() throws {
        var manifest = "file { '/tmp/early': ensure => directory }\n"
        for i in 0..<40 {
            manifest += "file { '/tmp/early/f\(i)': content => 'x', require => File['/tmp/early'] }\n"
            manifest += "exec { 'e\(i)': command => '/bin/true' }\n"
            manifest += "File['/tmp/early/f\(i)'] ~> Exec['e\(i)']\n"
        }
        let program = Parser.parse(SourceFile(path: "early.pp", text: manifest))
        XCTAssertFalse(program.hasErrors)
        for pretty in [true, false] {
            let compiler = Compiler(options: .init(certname: "early.example.com", facts: [:]), mainFile: program.file)
            var started: CatalogJSONWriting?
            var relationshipsWhenStarted = -1
            compiler.whenResourcesFinal = { c in
                relationshipsWhenStarted = c.relationships.count
                started = CatalogJSONWriting(c, pretty: pretty)
            }
            let catalog = try compiler.compile(program)
            XCTAssertEqual(relationshipsWhenStarted, 0, "started before the relationships were collected")
            let early = try XCTUnwrap(started).finish().bytes
            let onePass = Array(catalog.json(pretty: pretty, halvesFrom: .max).utf8)
            XCTAssertNil(firstDifference(early, onePass), "pretty: \(pretty)")
            XCTAssertEqual(catalog.relationships.filter { $0.refresh }.count, 40)
            XCTAssertTrue(String(decoding: early, as: UTF8.self).contains(#""notify""#))
        }
        // translate and run map the resources meanwhile: the same graph and warnings.
        for halvesFrom in [2, Int.max] {
            let compiler = Compiler(options: .init(certname: "early.example.com", facts: [:]), mainFile: SourceFile(path: "early.pp", text: ""))
            var started: MappingResources?
            compiler.whenResourcesFinal = { c in
                started = MappingResources(c, options: Mapper.Options(graphName: "", halvesFrom: halvesFrom), encodingResources: true)
            }
            let withOthers = Parser.parse(SourceFile(path: "early.pp", text: manifest + "notify { 'n': }\nuser { 'u': ensure => present }\n"))
            let catalog = try compiler.compile(withOthers)
            var early = Mapper(options: Mapper.Options(graphName: "g")), plain = Mapper(options: Mapper.Options(graphName: "g"))
            let (a, b) = (early.map(catalog, started: try XCTUnwrap(started)).graph, plain.map(catalog).graph)
            XCTAssertEqual(a, b)
            XCTAssertEqual(early.warnings, plain.warnings)
            XCTAssertEqual(plain.warnings.count, 1, "\(plain.warnings)")
            XCTAssertGreaterThan(a.edges.count, 120)
            // The resource section written meanwhile: the same bytes, and used only for the list
            // it was written from (a changed list is written anew).
            XCTAssertNotNil(a.resourcesYAMLHint)
            for edgesInHalvesFrom in [2, Int.max] {
                var plainBytes = YAMLBytes(), earlyBytes = YAMLBytes()
                YAMLEncoder.encode(b, into: &plainBytes, halvesFrom: edgesInHalvesFrom)
                YAMLEncoder.encode(a, into: &earlyBytes, halvesFrom: edgesInHalvesFrom)
                XCTAssertNil(firstDifference(earlyBytes.bytes, plainBytes.bytes))
            }
            var changed = a, changedPlain = b
            changed.resources[0].name = "a-changed-name"
            changedPlain.resources[0].name = "a-changed-name"
            XCTAssertEqual(YAMLEncoder.encode(changed), YAMLEncoder.encode(changedPlain))
            XCTAssertTrue(YAMLEncoder.encode(changed).contains("\"a-changed-name\""))
        }
    }
}

/// Where two byte strings first differ, with a little context (nil when equal).
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    guard a != b else { return nil }
    let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
    func around(_ x: [UInt8]) -> String { String(decoding: x[max(0, i - 40)..<min(x.count, i + 40)], as: UTF8.self) }
    return "byte \(i) of \(a.count)/\(b.count): …\(around(a))… vs …\(around(b))…"
}
