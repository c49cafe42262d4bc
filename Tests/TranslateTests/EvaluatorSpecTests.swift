import Foundation
import XCTest
import PuppetParser
@testable import Translate

/// Value cases transcribed from Puppet's evaluator specs (fixtures/evaluator-spec/*.json, each
/// naming its origin), with the value Puppet 7 itself computes (scripts/oracle-evaluator-cases.rb):
/// our value's `%p` form must equal Puppet's, its type must have Puppet's base type, and where
/// Puppet raises an error we must too.
final class EvaluatorSpecTests: XCTestCase {
    struct SpecFile: Decodable {
        let origin: String
        let scope: String?
        let cases: [Case]
    }
    struct Case: Decodable {
        let name: String
        let source: String
        let setup: String?
        let puppet7: Outcome
    }
    struct Outcome: Decodable {
        let type: String?
        let repr: String?
        let string: String?
        let error: String?
    }

    /// Evaluates a case the way the oracle script does: a fresh compiler, the setup code first.
    static func evaluate(_ c: Case, nodeScope: Bool) throws -> Value {
        let text = (c.setup.map { $0 + "\n" } ?? "") + c.source
        let source = SourceFile(path: "case.pp", text: text)
        let program = Parser.parse(source)
        if let d = program.diagnostics.first(where: { $0.severity == .error }) {
            throw CompileError(d.message, file: source, offset: d.offset)
        }
        let options = Compiler.Options(certname: "oracle.example.com", facts: Facts.oracle(certname: "oracle.example.com"))
        return try Compiler(options: options, mainFile: source).evaluateSnippet(program, inNodeScope: nodeScope)
    }

    /// fixtures/evaluator-spec/known-differences.tsv: origin, case name, reason.
    static func knownDifferences() throws -> [String: String] {
        let text = try String(contentsOf: Paths.url("fixtures/evaluator-spec/known-differences.tsv"), encoding: .utf8)
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if f.count == 3 { out[f[0] + ": " + f[1]] = f[2] }
        }
        return out
    }

    func testValuesMatchPuppet7() throws {
        var total = 0, passed = 0
        var failures: [String] = []
        let known = try Self.knownDifferences()
        var stillDiffering = Set<String>()
        for url in Paths.files("fixtures/evaluator-spec", suffix: ".json") {
            let spec = try JSONDecoder().decode(SpecFile.self, from: Data(contentsOf: url))
            for c in spec.cases {
                total += 1
                let key = "\(spec.origin): \(c.name)"
                let before = failures.count
                let outcome: Result<Value, Error> = Result { try Self.evaluate(c, nodeScope: spec.scope == "node") }
                switch (outcome, c.puppet7.error) {
                case (.failure, .some):
                    passed += 1
                case let (.failure(e), nil):
                    failures.append("\(spec.origin): \(c.name)\n  source: \(c.source)\n  Puppet: \(c.puppet7.repr ?? "")\n  ours: error \(e)")
                case let (.success(v), .some(err)):
                    failures.append("\(spec.origin): \(c.name)\n  source: \(c.source)\n  Puppet: error \(err)\n  ours: \(v.puppetRepr)")
                case let (.success(v), nil):
                    let baseType = (c.puppet7.type ?? "").split(separator: "[").first.map(String.init) ?? ""
                    // Puppet's runtime objects (Timespan, Timestamp) were recorded by their Ruby
                    // inspect form: those compare by their string form.
                    let same = c.puppet7.repr?.hasPrefix("#<") == true ? v.interpolated == c.puppet7.string : v.puppetRepr == c.puppet7.repr
                    if same && (baseType.isEmpty || Self.baseTypeName(v) == baseType) {
                        passed += 1
                    } else {
                        failures.append("\(spec.origin): \(c.name)\n  source: \(c.source)\n  Puppet: \(c.puppet7.repr ?? "") : \(c.puppet7.type ?? "")\n  ours:   \(v.puppetRepr) : \(Self.baseTypeName(v))")
                    }
                }
                if known[key] != nil, failures.count > before {
                    failures.removeLast()
                    stillDiffering.insert(key)
                }
            }
        }
        for key in known.keys where !stillDiffering.contains(key) {
            failures.append("\(key): listed in known-differences.tsv but now agrees with Puppet 7 (remove it)")
        }
        print("evaluator spec cases: \(passed) of \(total) agree with Puppet 7; \(stillDiffering.count) known differences")
        XCTAssertGreaterThanOrEqual(total, 300)
        XCTAssert(failures.isEmpty, "\(failures.count) of \(total) differ:\n" + failures.joined(separator: "\n"))
    }

    /// The base of the type Puppet's `infer_set` gives (`Integer[1, 1]` → `Integer`; non-empty
    /// arrays are `Tuple`s, non-empty hashes with string keys `Struct`s).
    static func baseTypeName(_ v: Value) -> String {
        switch v {
        case .type: return "Type"
        case let .array(a): return a.isEmpty ? "Array" : "Tuple"
        case let .hash(h): return !h.isEmpty && h.keys.allSatisfy { $0.stringValue != nil } ? "Struct" : "Hash"
        default: return v.typeName
        }
    }
}
