import Foundation
import XCTest
@testable import PuppetParser

/// Where the repository's fixtures and the shared corpus live, found from this file's path so that
/// tests run from any directory. The corpus is `../shared` beside the checkout, or `$SHARED_DIR`.
enum Fixtures {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var sharedDir: URL {
        if let env = ProcessInfo.processInfo.environment["SHARED_DIR"] { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var corpus: URL { sharedDir.appendingPathComponent("puppet-corpus") }

    static func url(_ relative: String) -> URL { repoRoot.appendingPathComponent(relative) }

    /// Every file below `dir` whose name ends with `suffix`, sorted; fails the test if there are none.
    static func files(under dir: URL, suffix: String, file: StaticString = #filePath, line: UInt = #line) -> [URL] {
        var out: [URL] = []
        if let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) {
            for case let u as URL in e where u.lastPathComponent.hasSuffix(suffix) { out.append(u) }
        }
        if out.isEmpty { XCTFail("no \(suffix) files under \(dir.path)", file: file, line: line) }
        return out.sorted { $0.path < $1.path }
    }

    static func source(_ url: URL) throws -> SourceFile {
        SourceFile(path: url.path, bytes: [UInt8](try Data(contentsOf: url)))
    }

    /// Puppet 7's verdicts on the corpus (scripts/oracle-corpus-verdicts.sh): path → (exit, line, col).
    static let puppetVerdicts: [String: (exit: Int, line: Int?, column: Int?)] = {
        guard let text = try? String(contentsOf: url("fixtures/corpus/puppet-verdicts.tsv"), encoding: .utf8) else { return [:] }
        var out: [String: (Int, Int?, Int?)] = [:]
        for row in text.split(separator: "\n") {
            let f = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let code = Int(f[1]) else { continue }
            out[f[0]] = (code, Int(f[2]), Int(f[3]))
        }
        return out
    }()

    /// The path of a corpus file relative to shared/puppet-corpus (the verdict file's key).
    static func corpusKey(_ url: URL) -> String {
        let base = corpus.standardizedFileURL.path + "/"
        let p = url.standardizedFileURL.path
        return p.hasPrefix(base) ? String(p.dropFirst(base.count)) : p
    }
}
