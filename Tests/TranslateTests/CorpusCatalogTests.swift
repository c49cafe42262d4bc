import Foundation
import XCTest
import PuppetParser
import Graph
@testable import Translate

/// The SUBSET.txt corpus manifests (real modules) compile to the catalog Puppet 7 compiled
/// (fixtures/corpus-catalogs, written by `scripts/corpus-catalog-report.py --subset
/// --write-goldens fixtures/corpus-catalogs`), with the modules on the modulepath under their
/// module names and the stand-in type aliases of fixtures/corpus-support.
final class CorpusCatalogTests: XCTestCase {
    /// The same modulepath the report script builds: `<name>/manifests` etc. as symlinks.
    static func makeModulePath() throws -> String {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("mgmt-puppet-corpus-\(getpid())").path
        try? fm.removeItem(atPath: dir)
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let shared = ProcessInfo.processInfo.environment["SHARED_DIR"] ?? Paths.repoRoot.deletingLastPathComponent().appendingPathComponent("shared").path
        let corpus = shared + "/puppet-corpus/modules"
        for m in try fm.contentsOfDirectory(atPath: corpus).sorted() {
            let name = m.contains("-") ? String(m.split(separator: "-", maxSplits: 1)[1]) : m
            try fm.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            for sub in ["manifests", "examples"] where fm.fileExists(atPath: "\(corpus)/\(m)/\(sub)") {
                try fm.createSymbolicLink(atPath: "\(dir)/\(name)/\(sub)", withDestinationPath: "\(corpus)/\(m)/\(sub)")
            }
            let types = Paths.url("fixtures/corpus-support/\(name)/types").path
            if fm.fileExists(atPath: types) {
                try fm.createSymbolicLink(atPath: "\(dir)/\(name)/types", withDestinationPath: types)
            }
        }
        return dir
    }

    /// SUBSET cases where Puppet and we both fail, but at different places, with the reason.
    static let knownOtherErrors: [String: String] = [
        "puppetlabs-accounts/examples/custom_key_location.pp": "the oracle lacks stdlib's Ruby ensure_resource, which we implement",
        "puppetlabs-accounts/examples/custom_key_location_purge_keys.pp": "the oracle lacks stdlib's Ruby ensure_resource, which we implement",
        "puppetlabs-accounts/examples/user_group.pp": "the oracle lacks stdlib's Ruby ensure_resource, which we implement",
    ]

    func testSubsetCatalogsEqualPuppets() throws {
        let modulePath = try Self.makeModulePath()
        defer { try? FileManager.default.removeItem(atPath: modulePath) }
        var checked = 0
        var problems: [String] = []
        var failuresChecked = 0
        for url in Paths.files("fixtures/corpus-catalogs", suffix: ".json") {
            guard case let .hash(golden) = try JSONText.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), path: url.path),
                  let code = golden[.string("code")]?.stringValue else { continue }
            let label = golden[.string("case")]?.stringValue ?? url.lastPathComponent
            // Where Puppet fails, we must fail with its error (wrappers and location aside),
            // except where the oracle lacks stdlib's Ruby code that we implement.
            if let theirs = golden[.string("oracle_error")]?.stringValue {
                failuresChecked += 1
                do {
                    _ = try compileForTest(code, modulePath: [modulePath])
                    problems.append("\(label): Puppet fails (\(theirs)); we compile it")
                } catch let e as CompileError {
                    let ours = errorCore(e.message)
                    if let reason = Self.knownOtherErrors[label] {
                        if ours.hasPrefix(errorCore(theirs)) { problems.append("\(label): listed as failing otherwise (\(reason)) but now fails as Puppet does") }
                    } else if !ours.hasPrefix(errorCore(theirs)) {
                        problems.append("\(label): Puppet fails with \(theirs.prefix(200))\n  we fail with \(ours.prefix(200))")
                    }
                }
                continue
            }
            guard let oracle = golden[.string("oracle")] else { continue }
            checked += 1
            do {
                let catalog = try compileForTest(code, modulePath: [modulePath])
                let ours = try JSONText.parse(catalog.json(), path: "ours")
                let diffs = Self.differences(ours, oracle)
                if !diffs.isEmpty { problems.append("\(label):\n  " + diffs.prefix(8).joined(separator: "\n  ")) }
                // And it translates into a graph that reads back the same.
                var mapper = Mapper(options: Mapper.Options(graphName: "corpus", modulePath: [modulePath]))
                let graph = mapper.map(catalog).graph
                if try YAMLDecoder.decode(YAMLEncoder.encode(graph)) != graph { problems.append("\(label): graph does not read back") }
            } catch {
                problems.append("\(label): Puppet compiles it; we fail: \(error)")
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 20)
        XCTAssertGreaterThanOrEqual(failuresChecked, 20)
        XCTAssert(problems.isEmpty, problems.joined(separator: "\n"))
    }

    /// Resources (flags, parameters, metaparameters, tags), containment and relationships;
    /// file and line are not compared (the modulepath is a temporary directory).
    static func differences(_ ours: Value, _ theirs: Value) -> [String] {
        func index(_ v: Value) -> ([String: OrderedHash], Set<String>, Set<String>) {
            guard case let .hash(top) = v else { return ([:], [], []) }
            var res: [String: OrderedHash] = [:]
            for r in top[.string("resources")]?.arrayValue ?? [] {
                if case let .hash(h) = r, let ref = h[.string("ref")]?.stringValue { res[ref] = h }
            }
            func edge(_ e: Value, _ keys: [String]) -> String {
                guard case let .hash(h) = e else { return e.interpolated }
                return keys.map { h[.string($0)]?.interpolated ?? "" }.joined(separator: " ")
            }
            let cont = Set((top[.string("containment")]?.arrayValue ?? []).map { edge($0, ["from", "to"]) })
            let rels = Set((top[.string("relationships")]?.arrayValue ?? []).map { edge($0, ["from", "to", "refresh", "via"]) })
            return (res, cont, rels)
        }
        let (a, ac, ar) = index(ours), (b, bc, br) = index(theirs)
        var out: [String] = []
        for ref in Set(a.keys).union(b.keys).sorted() {
            guard let x = a[ref] else { out.append("missing \(ref)"); continue }
            guard let y = b[ref] else { out.append("extra \(ref)"); continue }
            for key in ["exported", "virtual", "parameters", "metaparams", "tags"] where x[.string(key)] != y[.string(key)] {
                out.append("\(ref) \(key): Puppet \(y[.string(key)]?.puppetRepr ?? "-"), ours \(x[.string(key)]?.puppetRepr ?? "-")")
            }
        }
        if ac != bc { out.append("containment differs") }
        if ar != br { out.append("relationships differ") }
        return out
    }
}

/// Every corpus module manifest our compiler accepts also translates (module classes and
/// examples; the same cases as scripts/corpus-catalog-report.py, without the oracle).
final class CorpusTranslateTests: XCTestCase {
    func testEveryCompilableCorpusCaseTranslates() throws {
        let modulePath = try CorpusCatalogTests.makeModulePath()
        defer { try? FileManager.default.removeItem(atPath: modulePath) }
        let corpus = (ProcessInfo.processInfo.environment["SHARED_DIR"] ?? Paths.repoRoot.deletingLastPathComponent().appendingPathComponent("shared").path) + "/puppet-corpus/modules"
        var compiled = 0, cases = 0
        var failures: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: corpus)
        var files: [String] = []
        while let rel = enumerator?.nextObject() as? String { if rel.hasSuffix(".pp") { files.append(rel) } }
        for rel in files.sorted() {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + rel)), as: UTF8.self)
            var codes: [String] = []
            if rel.contains("/examples/") {
                codes = [text]
            } else if let body = Parser.parse(path: rel, text: text).body {
                var stack = [body]
                while let e = stack.popLast() {
                    switch e.kind {
                    case let .block(s): stack += s
                    case let .classDefinition(name, _, params, b):
                        if params.allSatisfy({ $0.value != nil }) { codes.append("include \(name)\n") }
                        if let b { stack.append(b) }
                    default: break
                    }
                }
            }
            for code in codes {
                cases += 1
                guard let catalog = try? compileForTest(code, modulePath: [modulePath]) else { continue }
                compiled += 1
                var mapper = Mapper(options: Mapper.Options(graphName: "corpus", modulePath: [modulePath]))
                let graph = mapper.map(catalog).graph
                do {
                    if try YAMLDecoder.decode(YAMLEncoder.encode(graph)) != graph { failures.append("\(rel): graph does not read back") }
                } catch {
                    failures.append("\(rel): \(error)")
                }
            }
        }
        print("corpus: \(compiled) of \(cases) cases compile; all of them translate")
        XCTAssertGreaterThan(compiled, 50)
        XCTAssert(failures.isEmpty, failures.joined(separator: "\n"))
    }
}
