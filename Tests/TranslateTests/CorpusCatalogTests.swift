import Foundation
import XCTest
import PuppetParser
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

    func testSubsetCatalogsEqualPuppets() throws {
        let modulePath = try Self.makeModulePath()
        defer { try? FileManager.default.removeItem(atPath: modulePath) }
        var checked = 0
        var problems: [String] = []
        for url in Paths.files("fixtures/corpus-catalogs", suffix: ".json") {
            guard case let .hash(golden) = try JSONText.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), path: url.path),
                  let code = golden[.string("code")]?.stringValue, let oracle = golden[.string("oracle")] else { continue }
            checked += 1
            let label = golden[.string("case")]?.stringValue ?? url.lastPathComponent
            do {
                let catalog = try compileForTest(code, modulePath: [modulePath])
                let ours = try JSONText.parse(catalog.json(), path: "ours")
                let diffs = Self.differences(ours, oracle)
                if !diffs.isEmpty { problems.append("\(label):\n  " + diffs.prefix(8).joined(separator: "\n  ")) }
            } catch {
                problems.append("\(label): Puppet compiles it; we fail: \(error)")
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 20)
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
