import Foundation
import XCTest
import Yams
@testable import Graph

/// The fast reader composes what Yams composes (strings, plainness, positions) wherever it does
/// not decline, on every graph file of the repository and on cut and mutated copies of them; and
/// it takes the graphs the encoder writes.
final class FastYAMLReaderTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func graphFiles() -> [URL] {
        var out: [URL] = []
        for dir in ["fixtures/yaml", "fixtures/puppet", "fuzz/yaml-seeds"] {
            let base = repoRoot.appendingPathComponent(dir)
            guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let u as URL in e where u.pathExtension == "yaml" { out.append(u) }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Yams's tree, or nil where Yams fails.
    func yams(_ text: String) -> YAMLNode? {
        (try? Yams.compose(yaml: text)).flatMap { $0 }.map(YAMLNode.init)
    }

    /// Checks one text; true if the fast reader took it.
    @discardableResult
    func check(_ text: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        // Read in two parts at once (as large graphs are), the same tree or the same decline.
        XCTAssertEqual(FastYAMLReader.compose(text, inParts: true), FastYAMLReader.compose(text), "\(label), in parts", file: file, line: line)
        guard let fast = FastYAMLReader.compose(text) else { return false }
        guard let reference = yams(text) else {
            XCTFail("\(label): the fast reader took what Yams rejects:\n\(text.prefix(400))", file: file, line: line)
            return true
        }
        XCTAssertEqual(fast, reference, "\(label):\n\(text.prefix(400))", file: file, line: line)
        return true
    }

    func testSameTreesAsYamsOnEveryGraphFile() throws {
        var taken = 0
        let files = Self.graphFiles()
        for url in files where check(String(decoding: try Data(contentsOf: url), as: UTF8.self), url.lastPathComponent) { taken += 1 }
        print("fast YAML reader: took \(taken) of \(files.count) graph files")
        XCTAssertGreaterThan(files.count, 400)
        XCTAssertGreaterThan(taken, 350)
    }

    /// Every graph the encoder writes is taken (the fast path is the common path).
    func testTakesWhatTheEncoderWrites() throws {
        for url in Self.graphFiles() where url.path.contains("fixtures/puppet/") {
            let graph = try YAMLDecoder.decode(try String(contentsOf: url, encoding: .utf8))
            let text = YAMLEncoder.encode(graph)
            XCTAssertNotNil(FastYAMLReader.compose(text), url.lastPathComponent)
        }
    }

    /// Cut at every few bytes and with one byte changed at a time: where the fast reader still
    /// takes the text, Yams composes the same tree.
    func testCutAndMutatedCopiesAgreeWithYams() throws {
        let mutations: [UInt8] = Array(" \n#:-\"'[]{}&*!|>\\,?%@`x0".utf8) + [9, 13]
        var taken = 0, tried = 0
        for url in Self.graphFiles().filter({ $0.path.contains("fixtures/yaml/") || $0.path.contains("yaml-seeds") }) {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard bytes.count < 4000 else { continue }
            for n in stride(from: 0, through: bytes.count, by: 5) {
                tried += 1
                if check(String(decoding: bytes.prefix(n), as: UTF8.self), "\(url.lastPathComponent) cut at \(n)") { taken += 1 }
            }
            for k in stride(from: 0, to: bytes.count, by: 3) {
                var m = bytes
                m[k] = mutations[k % mutations.count]
                tried += 1
                if check(String(decoding: m, as: UTF8.self), "\(url.lastPathComponent) byte \(k) → \(m[k])") { taken += 1 }
            }
        }
        print("fast YAML reader: took \(taken) of \(tried) cut or mutated texts, each as Yams reads it")
        XCTAssertGreaterThan(taken, 1000)
    }

    /// A large graph is read and decoded in parts at once: the same graph, or the same error,
    /// on every graph file (good and malformed) and on the encoder's output.
    func testDecodingInPartsMatchesOnePass() throws {
        func outcome(_ text: String, _ partsFrom: Int) -> (graph: Graph?, error: String?) {
            do { return (try YAMLDecoder.decode(text, partsFrom: partsFrom), nil) } catch { return (nil, "\(error)") }
        }
        var errors = 0
        for url in Self.graphFiles() {
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            let (one, parts) = (outcome(text, .max), outcome(text, 0))
            XCTAssertEqual(parts.graph, one.graph, url.lastPathComponent)
            XCTAssertEqual(parts.error, one.error, url.lastPathComponent)
            if one.error != nil { errors += 1 }
        }
        XCTAssertGreaterThan(errors, 20)
    }

    /// Inputs the YAML fuzzer found the two readers disagreeing on (fuzz/yaml-seeds keeps them).
    func testFuzzerFindings() throws {
        for name in ["regression-fast-reader-1.yaml"] {
            let url = Self.repoRoot.appendingPathComponent("fuzz/yaml-seeds/" + name)
            let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            XCTAssertTrue(YAMLDecoder.fastReaderAgreesWithYams(text), name)
            check(text, name)
        }
    }

    /// Scalars of every kind the reader handles.
    func testScalarsAsYamsReadsThem() {
        let texts = [
            "graph: \"g\"\ncomment: 'it''s'\nresources: {}\nedges: []\n",
            "graph: g # a comment\nx: \"a\\tb\\\\c\\\"d\\u00e9\\x41\\U0001F600\\/\\ \\0\"\n",
            "graph: g\nlist:\n- 1\n- -2\n- 3.5\n- true\n- plain words here\n- a:b\n- a#b\n",
            "---\ngraph: g\nnested:\n  deeper:\n    deepest: \"x\"  # c\n  back: 'y'\n",
            "graph: g\nedges:\n- name: e\n  from:\n    kind: file\n    name: \"/a\"\n  notify: true\n- name: f\n",
            "graph: \"héllo wörld ✓\"\nr: 'ünï'\n",
            "graph: g\nk:\n  - a\n  - b\nj: x\n",
        ]
        for t in texts { XCTAssertTrue(check(t, t), t) }
        // And these are left to Yams.
        for t in ["graph: g\nx: |\n  text\n", "graph: g\nx: &a 1\ny: *a\n", "graph: g\nx: [1, 2]\n", "graph: g\nx:\n",
                  "graph: g\nx: \"a\n  b\"\n", "graph: g\n\"q\": 1\n", "graph: g\r\n", "graph:\tg\n", "- a\n", "graph: g\n---\nx: 1\n",
                  "graph: g\nx: !!str 1\n", "\u{FEFF}graph: g\n", "graph: g\nx: a: b\n"] {
            XCTAssertNil(FastYAMLReader.compose(t), t)
        }
    }
}
