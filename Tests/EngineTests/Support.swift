import Foundation
import Graph
import Synchronization
import XCTest
@testable import Engine

enum Paths {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func files(_ dir: String, suffix: String) -> [URL] {
        let base = repoRoot.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { base.appendingPathComponent($0) }
    }
}

/// Collects the engine's log lines.
final class LogLines: Sendable {
    let lines = Mutex([String]())
    var log: EngineLog { EngineLog { [self] l in lines.withLock { $0.append(l) } } }
    var all: [String] { lines.withLock { $0 } }
    func count(_ substring: String) -> Int { all.filter { $0.contains(substring) }.count }
}

/// A fresh directory for one test (removed first if an earlier run left it).
func scratch(_ name: String) -> String {
    let dir = "/tmp/mgmt-puppet-engine-tests/\(name)"
    try? FileManager.default.removeItem(atPath: dir)
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
func exists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// Polls `condition` every 2 ms until it holds or `seconds` pass.
func waitUntil(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

func graph(_ yaml: String) throws -> EngineGraph { try EngineGraph(try YAMLDecoder.decode(yaml)) }

/// Runs a graph until it has been idle `convergedTimeout` seconds (or `during` stops it).
func runGraph(_ yaml: String, convergedTimeout: Int = 0, noop: Bool = false, logs: LogLines = LogLines(),
              during: (@Sendable (Scheduler) async throws -> Void)? = nil) async throws -> Scheduler.Summary {
    let g = try graph(yaml)
    let s = Scheduler(g, options: .init(convergedTimeout: during == nil ? convergedTimeout : -1, noop: noop), log: logs.log)
    guard let during else { return await s.run() }
    async let summary = s.run()
    do {
        try await during(s)
    } catch {
        s.stop()
        _ = await summary
        throw error
    }
    s.stop()
    return await summary
}
