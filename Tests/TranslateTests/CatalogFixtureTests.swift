import Foundation
import XCTest
import PuppetParser
@testable import Translate

/// Every manifest in fixtures/puppet compiles to the catalog Puppet 7 compiled (the golden
/// NAME.json, written by fixtures/puppet/regenerate.sh with the oracle script): the same
/// resources (type, title, flags, parameters, metaparameters, tags), containment edges and
/// relationships; and where Puppet failed to compile, we fail too.
final class CatalogFixtureTests: XCTestCase {
    struct Outcome {
        var resources: [String: Value] = [:]
        var containment: Set<String> = []
        var relationships: Set<String> = []
    }

    static func outcome(_ catalogJSON: Value, stripping prefix: String) -> Outcome {
        var o = Outcome()
        guard case let .hash(top) = catalogJSON else { return o }
        for r in top[.string("resources")]?.arrayValue ?? [] {
            guard case var .hash(h) = r, let ref = h[.string("ref")]?.stringValue else { continue }
            if case let .string(f) = h[.string("file")] ?? .undef, f.hasPrefix(prefix) {
                h[.string("file")] = .string(String(f.dropFirst(prefix.count)))
            }
            o.resources[ref] = .hash(h)
        }
        for e in top[.string("containment")]?.arrayValue ?? [] {
            if case let .hash(h) = e { o.containment.insert("\(h[.string("from")]!.interpolated) -> \(h[.string("to")]!.interpolated)") }
        }
        for e in top[.string("relationships")]?.arrayValue ?? [] {
            if case let .hash(h) = e {
                o.relationships.insert("\(h[.string("from")]!.interpolated) -> \(h[.string("to")]!.interpolated) refresh=\(h[.string("refresh")]!.interpolated) via=\(h[.string("via")]!.interpolated)")
            }
        }
        return o
    }

    /// The oracle arguments a fixture was compiled with (certname, storeconfigs).
    static func options(_ golden: OrderedHash) -> (certname: String, storeconfigs: Bool, facts: String?) {
        var certname = "oracle.example.com", store = false
        var facts: String?
        let args = golden[.string("oracle_args")]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (i, a) in args.enumerated() {
            if a == "--storeconfigs" { store = true }
            if a == "--certname", i + 1 < args.count { certname = args[i + 1] }
            if a.hasPrefix("--certname=") { certname = String(a.dropFirst("--certname=".count)) }
            if a == "--facts", i + 1 < args.count { facts = args[i + 1] }
        }
        return (certname, store, facts)
    }

    /// fixtures/puppet/known-differences.tsv: fixture name and reason, for what we knowingly do
    /// not match yet. A listed fixture that starts to match fails the test, so the list shrinks.
    static func knownDifferences() -> [String: String] { listed("fixtures/puppet/known-differences.tsv") }

    /// Fixtures whose error message we knowingly do not match yet, with the reason.
    static func knownErrorDifferences() -> [String: String] { listed("fixtures/puppet/known-error-differences.tsv") }

    /// A `name<TAB>reason` list (`#` lines are comments).
    static func listed(_ path: String) -> [String: String] {
        guard let text = try? String(contentsOf: Paths.url(path), encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if f.count == 2 { out[f[0]] = f[1] }
        }
        return out
    }

    /// Compiles a fixture as the oracle did (certname, storeconfigs, facts, the fixtures'
    /// module path).
    static func compileFixture(_ url: URL, _ golden: OrderedHash) throws -> Catalog {
        let (certname, store, factsFile) = options(golden)
        return try compileForTest(String(decoding: try Data(contentsOf: url), as: UTF8.self), path: "fixtures/puppet/" + url.lastPathComponent,
                                  certname: certname, modulePath: [Paths.url("fixtures/puppet/modules").path], storeconfigs: store,
                                  extraFacts: try factsFile.map { try Facts.load(path: Paths.url($0).path) } ?? [:])
    }

    /// Where Puppet fails, we fail with its message (Puppet's wrappers, location and node aside);
    /// known-error-differences.tsv lists the ones we do not match yet and only shrinks.
    func testErrorsSayWhatPuppetSays() throws {
        var checked = 0, same = 0
        var problems: [String] = []
        let known = Self.knownErrorDifferences()
        for url in Paths.files("fixtures/puppet", suffix: ".pp") {
            let name = url.lastPathComponent
            guard let data = try? Data(contentsOf: url.deletingPathExtension().appendingPathExtension("json")),
                  case let .hash(golden) = try JSONText.parse(String(decoding: data, as: UTF8.self), path: name),
                  golden[.string("oracle_exit")] != .integer(0), let theirs = golden[.string("error")]?.stringValue else { continue }
            checked += 1
            let ours: String
            do {
                _ = try Self.compileFixture(url, golden)
                ours = "(compiles)"
            } catch let e as CompileError {
                ours = e.message
            }
            let matches = errorCore(ours).hasPrefix(errorCore(theirs)) && !errorCore(theirs).isEmpty
            if matches { same += 1 }
            switch (matches, known[name]) {
            case (true, _?): problems.append("\(name): listed in known-error-differences.tsv but now says what Puppet says (remove it)")
            case (false, nil): problems.append("\(name): Puppet: \(errorCore(theirs).prefix(160))\n  ours: \(errorCore(ours).prefix(160))")
            default: break
            }
        }
        print("error fixtures: \(same) of \(checked) fail with Puppet 7's message; \(known.count) listed")
        XCTAssertGreaterThan(checked, 80)
        XCTAssert(problems.isEmpty, problems.joined(separator: "\n"))
    }

    func testCatalogsEqualPuppets() throws {
        let root = Paths.repoRoot.path + "/"
        var checked = 0, agreed = 0
        var problems: [String] = []
        let known = Self.knownDifferences()
        var stillDiffering = Set<String>()
        for url in Paths.files("fixtures/puppet", suffix: ".pp") {
            let goldenURL = url.deletingPathExtension().appendingPathExtension("json")
            guard let data = try? Data(contentsOf: goldenURL) else { continue }
            guard case let .hash(golden) = try JSONText.parse(String(decoding: data, as: UTF8.self), path: goldenURL.path) else { continue }
            checked += 1
            let name = url.lastPathComponent
            let problemsBefore = problems.count
            defer {
                if known[name] != nil, problems.count > problemsBefore {
                    problems.removeLast(problems.count - problemsBefore)
                    stillDiffering.insert(name)
                }
            }
            let exit = golden[.string("oracle_exit")].flatMap { if case let .integer(i) = $0 { return i }; return nil } ?? 0
            let result = Result { try Self.compileFixture(url, golden) }
            switch result {
            case let .failure(e):
                if exit == 0 { problems.append("\(name): Puppet compiles it; we fail: \(e)") } else { agreed += 1 }
                continue
            case let .success(catalog):
                if exit != 0 {
                    problems.append("\(name): Puppet fails (\(golden[.string("error")]?.interpolated ?? "exit \(exit)")); we compile it")
                    continue
                }
                let ours = Self.outcome(try JSONText.parse(catalog.json(), path: "ours"), stripping: root)
                let theirs = Self.outcome(.hash(golden), stripping: root)
                var diffs: [String] = []
                for ref in Set(theirs.resources.keys).union(ours.resources.keys).sorted() {
                    switch (theirs.resources[ref], ours.resources[ref]) {
                    case (nil, _): diffs.append("  extra resource \(ref)")
                    case (_, nil): diffs.append("  missing resource \(ref)")
                    case let (t?, o?):
                        if case let .hash(th) = t, case let .hash(oh) = o {
                            for key in ["exported", "virtual", "parameters", "metaparams", "tags", "file", "line"] {
                                let a = th[.string(key)] ?? .undef, b = oh[.string(key)] ?? .undef
                                if a != b { diffs.append("  \(ref) \(key): Puppet \(a.puppetRepr), ours \(b.puppetRepr)") }
                            }
                        }
                    }
                }
                for e in theirs.containment.subtracting(ours.containment).sorted() { diffs.append("  missing containment \(e)") }
                for e in ours.containment.subtracting(theirs.containment).sorted() { diffs.append("  extra containment \(e)") }
                for e in theirs.relationships.subtracting(ours.relationships).sorted() { diffs.append("  missing relationship \(e)") }
                for e in ours.relationships.subtracting(theirs.relationships).sorted() { diffs.append("  extra relationship \(e)") }
                if diffs.isEmpty { agreed += 1 } else { problems.append("\(name):\n" + diffs.prefix(12).joined(separator: "\n")) }
            }
        }
        for name in known.keys.sorted() where !stillDiffering.contains(name) {
            problems.append("\(name): listed in known-differences.tsv but now matches Puppet 7 (remove it)")
        }
        print("catalog fixtures: \(agreed) of \(checked) equal Puppet 7's catalog; \(stillDiffering.count) known differences")
        XCTAssertGreaterThan(checked, 0)
        XCTAssert(problems.isEmpty, "\(problems.count) of \(checked) differ:\n" + problems.joined(separator: "\n"))
    }
}
