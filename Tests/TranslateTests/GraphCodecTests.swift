import Foundation
import XCTest
import Graph
import PuppetParser
@testable import Translate

/// The YAML loader is strict and positioned; the encoder is deterministic.
final class GraphCodecTests: XCTestCase {
    func error(_ yaml: String) -> GraphError? {
        do {
            _ = try YAMLDecoder.decode(yaml)
            XCTFail("expected an error for:\n\(yaml)")
            return nil
        } catch let e as GraphError {
            return e
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testReadsMgmtExamples() throws {
        let g = try YAMLDecoder.decode("""
        ---
        graph: mygraph
        comment: parallel execs
        resources:
          exec:
          - name: exec1
            cmd: sleep 10s
            shell: ''
            timeout: 0
            meta:
              retry: 2
              delay: 500
          - name: exec2
            cmd: sleep 10s
          file:
          - name: "@@file3a"
            path: "/tmp/mgmtA/f3a"
            content: |
              i am f3
            state: exists
        edges:
        - name: e1
          from:
            kind: exec
            name: exec1
          to:
            kind: exec
            name: exec2
          notify: true
        collect:
        - kind: file
          pattern: "/tmp/mgmtA/"
        """)
        XCTAssertEqual(g.name, "mygraph")
        XCTAssertEqual(g.resources.count, 3)
        XCTAssertEqual(g.resources.first { $0.name == "exec1" }?.meta?.retry, 2)
        XCTAssertEqual(g.resources.first { $0.name == "exec1" }?.params["timeout"], .int(0))
        XCTAssertEqual(g.resources.first { $0.kind == "file" }?.params["content"], .string("i am f3\n"))
        XCTAssertTrue(g.resources.first { $0.kind == "file" }!.isExported)
        XCTAssertEqual(g.edges, [Edge(name: "e1", from: Ref(kind: "exec", name: "exec1"), to: Ref(kind: "exec", name: "exec2"), notify: true)])
        XCTAssertEqual(g.collect, [Collect(kind: "file", pattern: "/tmp/mgmtA/")])
        let yaml = YAMLEncoder.encode(g)
        XCTAssertEqual(try YAMLDecoder.decode(yaml).normalized(), g.normalized())
        XCTAssertEqual(YAMLEncoder.encode(try YAMLDecoder.decode(yaml)), yaml)
    }

    func testMalformedGraphsFailWithPositions() {
        XCTAssertEqual(error("resources: {}\n")?.message, "missing 'graph' (the graph's name)")
        let unknown = error("graph: g\nresoures: {}\n")
        XCTAssertEqual(unknown?.line, 2)
        XCTAssertEqual(unknown?.column, 1)
        XCTAssertTrue(unknown?.message.contains("unknown key 'resoures'") ?? false)
        let dup = error("graph: g\nresources:\n  noop:\n  - name: a\n  - name: a\n")
        XCTAssertEqual(dup?.line, 5)
        XCTAssertTrue(dup?.message.contains("duplicate resource Noop[a]") ?? false)
        let edge = error("graph: g\nresources:\n  noop:\n  - name: a\nedges:\n- name: e\n  from: {kind: noop, name: a}\n  to: {kind: noop, name: b}\n")
        XCTAssertTrue(edge?.message.contains("'to' resource Noop[b] is not in the graph") ?? false, edge?.message ?? "")
        XCTAssertEqual(edge?.line, 6)
        let meta = error("graph: g\nresources:\n  noop:\n  - name: a\n    meta:\n      retries: 3\n")
        XCTAssertEqual(meta?.line, 6)
        XCTAssertEqual(meta?.column, 7)
        let type = error("graph: g\nresources:\n  noop:\n  - name: a\n    meta: {noop: maybe}\n")
        XCTAssertTrue(type?.message.contains("'noop' must be true or false") ?? false)
        let limit = error("graph: g\nresources:\n  noop:\n  - name: a\n    meta: {limit: 2.5}\n")
        XCTAssertTrue(limit?.message.contains("needs a 'burst'") ?? false)
        let syntax = error("graph: g\nresources: [\n")
        XCTAssertTrue(syntax?.message.hasPrefix("invalid YAML") ?? false)
        XCTAssertEqual(error("graph: ''\n")?.message, "'graph' must name the graph")
    }

    func testEncodingIsDeterministicAndSorted() {
        let a = Graph(name: "g", resources: [Resource(kind: "pkg", name: "b", params: ["state": .string("installed")]),
                                             Resource(kind: "file", name: "a", params: ["path": .string("/a"), "mode": .string("0644")])])
        var b = a
        b.resources.reverse()
        XCTAssertEqual(YAMLEncoder.encode(a), YAMLEncoder.encode(b))
        XCTAssertTrue(YAMLEncoder.encode(a).contains("  file:\n  - name: \"a\"\n    mode: \"0644\"\n    path: \"/a\"\n  pkg:"))
    }
}

final class GraphDiffTests: XCTestCase {
    func testDiffReportsResourcesParametersAndEdges() {
        let a = Graph(name: "g", resources: [Resource(kind: "file", name: "/a", params: ["content": .string("x\ny\n")]),
                                             Resource(kind: "pkg", name: "vim")],
                      edges: [Edge(name: "e1", from: Ref(kind: "pkg", name: "vim"), to: Ref(kind: "file", name: "/a"))])
        let b = Graph(name: "g", resources: [Resource(kind: "file", name: "/a", params: ["content": .string("x\nz\n"), "mode": .string("0644")]),
                                             Resource(kind: "svc", name: "ntp")])
        let d = GraphDiff(a, b)
        XCTAssertEqual(d.added, [Ref(kind: "svc", name: "ntp")])
        XCTAssertEqual(d.removed, [Ref(kind: "pkg", name: "vim")])
        XCTAssertEqual(d.changed.first?.params.map(\.name), ["content", "mode"])
        XCTAssertEqual(d.edgesRemoved.count, 1)
        XCTAssertTrue(d.text().contains("      - y\n      + z\n"), d.text())
        XCTAssertTrue(GraphDiff(a, a).isEmpty)
        let ignored = GraphDiff(a, b, ignore: ["Pkg[*]", "Svc[ntp]", "File[/a]/content", "mode"])
        XCTAssertTrue(ignored.isEmpty, ignored.text())
        // Large graphs compare resources and edges at once: the same report.
        for ignore in [[], ["Pkg[*]"], ["mode"]] {
            for (x, y) in [(a, b), (b, a), (a, a)] {
                let (parts, one) = (GraphDiff(x, y, ignore: ignore, partsFrom: 1), GraphDiff(x, y, ignore: ignore, partsFrom: .max))
                XCTAssertEqual(parts.text(), one.text())
                XCTAssertEqual(parts.json(), one.json())
            }
        }
    }

    /// Both ways of comparing on translated fixture pairs with edges: the same report.
    func testDiffInPartsMatchesOnePassOnFixtures() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/puppet")
        let graphs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted().prefix(80)
            .compactMap { try? YAMLDecoder.decode(String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) }
        XCTAssertGreaterThan(graphs.count, 40)
        var differing = 0
        for (x, y) in zip(graphs, graphs.dropFirst()) {
            let (parts, one) = (GraphDiff(x, y, partsFrom: 1), GraphDiff(x, y, partsFrom: .max))
            XCTAssertEqual(parts.text(), one.text())
            if !one.edgesAdded.isEmpty && !one.added.isEmpty { differing += 1 }
        }
        XCTAssertGreaterThan(differing, 10)
    }

    /// The catalog's JSON strings and the YAML writer's scalars are escaped byte by byte as
    /// YAMLEncoder.quote escapes them (JSON escapes; a JSON string that needs none is copied
    /// as it is).
    func testCatalogJSONQuotingEscapesAsTheEncoder() {
        var cases = ["", "plain", "a\"b", "back\\slash", "line\nbreak\r\ttab", "ünï ✓ 😀", "del\u{7F}only", "del\u{7F} and\n"]
        for c in 0..<0x20 { cases.append("x\(String(UnicodeScalar(UInt8(c))))y") }
        for s in cases {
            let out = ByteBuffer()
            JSONText.appendQuoted(s, to: out)
            let expected = s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) ? YAMLEncoder.quote(s) : "\"" + s + "\""
            XCTAssertEqual(String(decoding: out.bytes, as: UTF8.self), expected, s.debugDescription)
            // The YAML writer's scalars too (its bytes against the String-built quote).
            XCTAssertTrue(YAMLEncoder.encode(Graph(name: s)).hasPrefix("---\ngraph: " + YAMLEncoder.quote(s) + "\n"), s.debugDescription)
        }
    }

    /// The word-at-a-time escape test agrees with a byte-by-byte one for every byte value at
    /// every position of strings shorter and longer than a word (UTF-8 lead bytes included).
    func testNeedsEscapeMatchesBytewiseCheck() {
        for del in [false, true] {
            for length in 1...19 {
                for position in 0..<length {
                    for b in 0...255 {
                        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                        bytes[position] = UInt8(b)
                        let expected = b < 0x20 || b == 0x22 || b == 0x5C || (del && b == 0x7F)
                        XCTAssertEqual(bytes.withUnsafeBufferPointer { needsEscape($0, del: del) }, expected, "\(b) at \(position) of \(length)")
                    }
                }
            }
        }
        XCTAssertFalse([UInt8]().withUnsafeBufferPointer { needsEscape($0, del: true) })
    }

    /// A reference written straight from its type and title (no string made for it) reads back
    /// as the reference string it stands for, escapes included, in both layouts.
    func testReferenceMetaparameterWrittenInPartsReadsBack() throws {
        let manifest = "file { '/tmp/a\"b\\c\n': ensure => file }\nnotify { 'n': require => File['/tmp/a\"b\\c\n'] }\n"
        let program = Parser.parse(SourceFile(path: "refs.pp", text: manifest))
        XCTAssertFalse(program.hasErrors)
        let catalog = try Compiler(options: .init(certname: "refs.example.com", facts: [:]), mainFile: program.file).compile(program)
        for pretty in [true, false] {
            let parsed = try JSONText.parse(catalog.json(pretty: pretty), path: "catalog.json")
            guard case let .hash(top) = parsed, case let .array(resources)? = top[.string("resources")] else { return XCTFail("no resources") }
            let notify = resources.first { if case let .hash(r) = $0 { return r[.string("ref")] == .string("Notify[n]") }; return false }
            guard case let .hash(n)? = notify, case let .hash(meta)? = n[.string("metaparams")] else { return XCTFail("no Notify[n]") }
            XCTAssertEqual(meta[.string("require")], .array([.string("File[/tmp/a\"b\\c\n]")]), "pretty: \(pretty)")
        }
    }

    /// The packed-key sort orders as comparing the parts' bytes one part after the other does
    /// (shorter first, stable), with shared prefixes, NUL bytes, empty parts and parts that all
    /// keys have alike.
    func testIndicesSortedByUTF8MatchesPartwiseByteOrder() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [String] = ["", "a", "b", "\u{0}", "é", "Class[main]", "Class[main]x", "File[/tmp/a", "ab", "abcdefgh", "abcdefghi",
                                 "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", "/tmp/bench-root/f"]
        for round in 0..<600 {
            let parts = 1 + round % 3
            let count = Int.random(in: 0...80, using: &rng)
            let same = Bool.random(using: &rng)
            let keys: [[String]] = (0..<count).map { _ in
                (0..<parts).map { p in
                    if same && p == 0 { return "Class[main]" }
                    return (0..<Int.random(in: 0...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
                }
            }
            let got = indicesSortedByUTF8(count: count, parts: parts) { i, p in keys[i][p] }
            let expected = Array(0..<count).sorted { x, y in
                for p in 0..<parts {
                    let c = utf8Compare(keys[x][p], keys[y][p])
                    if c != 0 { return c < 0 }
                }
                return x < y
            }
            XCTAssertEqual(got, expected, "\(keys)")
        }
    }
}
