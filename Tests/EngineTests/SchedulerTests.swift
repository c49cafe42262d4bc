import Foundation
import Graph
import XCTest
@testable import Engine

/// The engine on real files and processes: parallelism, self-healing, refresh, retries,
/// failure isolation, noop, convergence, live reload.
final class SchedulerTests: XCTestCase {
    /// The seed's graph8: a1 → a2 → a3 and a free b1, each `sleep 1`. In parallel the critical
    /// path is 3 s; one at a time it would be 4 s.
    func testGraph8RunsTheFreeExecInParallel() async throws {
        let text = try String(contentsOf: Paths.repoRoot.appendingPathComponent("fixtures/yaml/graph8.yaml"), encoding: .utf8)
        let start = ContinuousClock.now
        let summary = try await runGraph(text)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(summary.changed, 4)
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(3), "the chain alone takes 3 s")
        XCTAssertLessThan(elapsed, .milliseconds(3800), "b1 must run beside the chain (4 s would be sequential)")
    }

    func fileGraph(_ dir: String) -> String {
        """
        graph: heal
        resources:
          file:
          - {name: f1, path: \(dir)/f1, content: "one\\n"}
          - {name: f2, path: \(dir)/f2, content: "two\\n", mode: "0640"}
          - {name: f3, path: \(dir)/f3, content: "three\\n"}
          - {name: f4, path: \(dir)/f4, state: absent}
        """
    }

    func testDriftIsRepairedWhileRunning() async throws {
        let dir = scratch("heal")
        let logs = LogLines()
        let summary = try await runGraph(fileGraph(dir), logs: logs) { _ in
            let ready = await waitUntil { read(dir + "/f3") == "three\n" && read(dir + "/f2") == "two\n" && read(dir + "/f1") == "one\n" }
            XCTAssertTrue(ready, "first converge")
            // Deleted from outside: recreated.
            try FileManager.default.removeItem(atPath: dir + "/f2")
            let recreated = await waitUntil { read(dir + "/f2") == "two\n" }
            XCTAssertTrue(recreated, "deleting f2 is repaired")
            // Overwritten from outside: content and mode restored.
            try "junk\n".write(toFile: dir + "/f2", atomically: false, encoding: .utf8)
            chmod(dir + "/f2", 0o777)
            let restored = await waitUntil {
                var st = stat()
                return read(dir + "/f2") == "two\n" && stat(dir + "/f2", &st) == 0 && st.st_mode & 0o777 == 0o640
            }
            XCTAssertTrue(restored, "overwriting f2 is repaired")
            // Created from outside although it must be absent: removed.
            FileManager.default.createFile(atPath: dir + "/f4", contents: Data("intruder".utf8))
            let removed = await waitUntil { !exists(dir + "/f4") }
            XCTAssertTrue(removed, "creating f4 is repaired")
            // Replaced by a rename (what editors do): repaired too.
            try "edited\n".write(toFile: dir + "/f1.tmp", atomically: false, encoding: .utf8)
            rename(dir + "/f1.tmp", dir + "/f1")
            let renamed = await waitUntil { read(dir + "/f1") == "one\n" }
            XCTAssertTrue(renamed, "replacing f1 by rename is repaired")
        }
        XCTAssertEqual(summary.failed, [])
        XCTAssertGreaterThanOrEqual(logs.count("File[f2]: "), 3, logs.all.joined(separator: "\n"))
        XCTAssertEqual(logs.count("File[f4]: removed"), 1)
    }

    func testSameSizeDriftAndModeOnlyDriftAreRepaired() async throws {
        // The check settles most files by size alone; a rewrite that keeps the size, and a
        // change of mode only, must still be seen.
        let dir = scratch("same-size")
        let logs = LogLines()
        let summary = try await runGraph(fileGraph(dir), logs: logs) { _ in
            let ready = await waitUntil { read(dir + "/f2") == "two\n" && read(dir + "/f3") == "three\n" }
            XCTAssertTrue(ready, "first converge")
            // f3's mode is not managed: a change of it stays (as in Puppet).
            chmod(dir + "/f3", 0o600)
            try "twX\n".write(toFile: dir + "/f2", atomically: false, encoding: .utf8)
            let restored = await waitUntil { read(dir + "/f2") == "two\n" }
            XCTAssertTrue(restored, "same-size rewrite of f2 is repaired")
            chmod(dir + "/f2", 0o600)
            let mode = await waitUntil {
                var st = stat()
                return stat(dir + "/f2", &st) == 0 && st.st_mode & 0o777 == 0o640
            }
            XCTAssertTrue(mode, "a mode-only change of f2 (managed mode 0640) is repaired")
        }
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(logs.count("File[f2]: changed content"), 1, logs.all.joined(separator: "\n"))
        var st = stat()
        XCTAssertTrue(stat(dir + "/f3", &st) == 0 && st.st_mode & 0o777 == 0o600, "unmanaged mode left alone")
    }

    func testFanInOfManyParentsRunsTheChildOnceAfterAll() async throws {
        // 300 execs, finishing in an order unrelated to the edge order, into one exec that
        // must see all of them (the scheduler's readiness scan resumes where it last stopped).
        let dir = scratch("fan-in-many")
        var yaml = "graph: fan\nresources:\n  exec:\n"
        for i in 0..<300 {
            yaml += "  - {name: p\(i), cmd: \"sleep 0.0\((i * 7919) % 10); touch \(dir)/p\(i)\", shell: /bin/sh}\n"
        }
        yaml += "  - {name: child, cmd: \"ls \(dir) | grep -c '^p' > \(dir)/count\", shell: /bin/sh}\nedges:\n"
        for i in 0..<300 {
            yaml += "- {name: e\(i), from: {kind: exec, name: p\(i)}, to: {kind: exec, name: child}}\n"
        }
        let logs = LogLines()
        let summary = try await runGraph(yaml, logs: logs)
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(read(dir + "/count"), "300\n")
        XCTAssertEqual(logs.count("Exec[child]: "), 1, logs.all.filter { $0.contains("child") }.joined(separator: "\n"))
    }

    func testMissingParentIsWatchedUntilItAppears() async throws {
        let dir = scratch("late-parent")
        let text = """
        graph: late
        resources:
          file:
          - {name: f, path: \(dir)/later/deeper/f, content: "x\\n"}
        """
        let logs = LogLines()
        let summary = try await runGraph(text, logs: logs) { _ in
            let failed = await waitUntil { logs.count("File[f]: failed") == 1 }
            XCTAssertTrue(failed, "without its directory the file cannot be written")
            try FileManager.default.createDirectory(atPath: dir + "/later/deeper", withIntermediateDirectories: true)
            let made = await waitUntil { read(dir + "/later/deeper/f") == "x\n" }
            XCTAssertTrue(made, "the watch on the nearest existing ancestor sees the directory appear")
        }
        XCTAssertEqual(summary.failed, [])
    }

    func testRefreshReachesAnExecOverNotifyEdgesOnly() async throws {
        let dir = scratch("refresh")
        let text = """
        graph: refresh
        resources:
          file:
          - {name: conf, path: \(dir)/conf, content: "v1\\n"}
          exec:
          - name: notified
            cmd: echo ran >> \(dir)/notified
            shell: /bin/sh
            refreshonly: true
          - name: ordered-only
            cmd: echo ran >> \(dir)/ordered
            shell: /bin/sh
            refreshonly: true
        edges:
        - {name: e1, from: {kind: file, name: conf}, to: {kind: exec, name: notified}, notify: true}
        - {name: e2, from: {kind: file, name: conf}, to: {kind: exec, name: ordered-only}}
        """
        let summary = try await runGraph(text) { _ in
            let once = await waitUntil { read(dir + "/notified") == "ran\n" }
            XCTAssertTrue(once, "creating conf refreshes the exec")
            try "v0\n".write(toFile: dir + "/conf", atomically: false, encoding: .utf8)
            let twice = await waitUntil { read(dir + "/notified") == "ran\nran\n" }
            XCTAssertTrue(twice, "repairing conf refreshes it again")
        }
        XCTAssertEqual(summary.failed, [])
        XCTAssertNil(read(dir + "/ordered"), "a refreshonly exec behind a plain edge never runs")
        // Without a change there is no refresh.
        let again = try await runGraph(text)
        XCTAssertEqual(again.changed, 0)
        XCTAssertEqual(read(dir + "/notified"), "ran\nran\n")
    }

    func testRetryAndDelay() async throws {
        let dir = scratch("retry")
        // Fails twice, then succeeds: it counts its attempts in a file.
        let flaky = "n=$(cat \(dir)/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(dir)/count; [ $n -ge 3 ]"
        func text(retry: Int) -> String {
            """
            graph: retry
            resources:
              exec:
              - name: flaky
                cmd: '\(flaky)'
                shell: /bin/sh
                meta: {retry: \(retry), delay: 100}
            """
        }
        let logs = LogLines()
        let start = ContinuousClock.now
        let ok = try await runGraph(text(retry: 2), logs: logs)
        XCTAssertEqual(ok.failed, [])
        XCTAssertEqual(read(dir + "/count"), "3\n")
        XCTAssertEqual(logs.count("retry "), 2)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(200), "two delays of 100 ms")

        try FileManager.default.removeItem(atPath: dir + "/count")
        let failed = try await runGraph(text(retry: 1))
        XCTAssertEqual(failed.failed, ["Exec[flaky]"])
        XCTAssertEqual(read(dir + "/count"), "2\n")
    }

    func testFailureBlocksOnlyDescendants() async throws {
        let dir = scratch("block")
        let text = """
        graph: block
        resources:
          exec:
          - {name: broken, cmd: /bin/false}
          - {name: child, cmd: /usr/bin/touch \(dir)/child}
          - {name: grandchild, cmd: /usr/bin/touch \(dir)/grandchild}
          - {name: free, cmd: /usr/bin/touch \(dir)/free}
          - {name: sibling-of-broken, cmd: /usr/bin/touch \(dir)/sibling}
          noop:
          - name: root
        edges:
        - {name: e0, from: {kind: noop, name: root}, to: {kind: exec, name: broken}}
        - {name: e1, from: {kind: noop, name: root}, to: {kind: exec, name: sibling-of-broken}}
        - {name: e2, from: {kind: exec, name: broken}, to: {kind: exec, name: child}}
        - {name: e3, from: {kind: exec, name: child}, to: {kind: exec, name: grandchild}}
        """
        let logs = LogLines()
        let summary = try await runGraph(text, logs: logs)
        XCTAssertEqual(summary.failed, ["Exec[broken]"])
        XCTAssertEqual(summary.blocked, ["Exec[child]", "Exec[grandchild]"])
        XCTAssertTrue(exists(dir + "/free"))
        XCTAssertTrue(exists(dir + "/sibling"))
        XCTAssertFalse(exists(dir + "/child"))
        XCTAssertFalse(exists(dir + "/grandchild"))
        XCTAssertEqual(logs.count("Exec[child]: blocked (depends on Exec[broken]"), 1)
    }

    func testNoopChangesNothing() async throws {
        let dir = scratch("noop")
        let text = """
        graph: noop
        resources:
          file:
          - {name: f, path: \(dir)/f, content: "x\\n"}
          - {name: gone, path: \(dir)/keep, state: absent}
          exec:
          - {name: e, cmd: /usr/bin/touch \(dir)/ran}
        edges:
        - {name: e1, from: {kind: file, name: f}, to: {kind: exec, name: e}, notify: true}
        """
        FileManager.default.createFile(atPath: dir + "/keep", contents: Data())
        let logs = LogLines()
        let summary = try await runGraph(text, noop: true, logs: logs)
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(summary.changed, 0)
        XCTAssertFalse(exists(dir + "/f"))
        XCTAssertTrue(exists(dir + "/keep"))
        XCTAssertFalse(exists(dir + "/ran"))
        XCTAssertEqual(logs.count("File[f]: would be created"), 1, logs.all.joined(separator: "\n"))
        XCTAssertEqual(logs.count("File[gone]: would be removed"), 1)
        XCTAssertEqual(logs.count("Exec[e]: would run"), 1)

        // meta noop on one resource only.
        let one = text.replacingOccurrences(of: "content: \"x\\n\"}", with: "content: \"x\\n\", meta: {noop: true}}")
        let partial = try await runGraph(one)
        XCTAssertFalse(exists(dir + "/f"))
        XCTAssertFalse(exists(dir + "/keep"))
        XCTAssertTrue(exists(dir + "/ran"))
        XCTAssertEqual(partial.failed, [])
    }

    func testConvergedTimeoutExitsAfterIdleSeconds() async throws {
        let text = "graph: idle\nresources:\n  noop:\n  - name: n\n"
        let start = ContinuousClock.now
        let summary = try await runGraph(text, convergedTimeout: 1)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(summary.converged, 1)
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        XCTAssertLessThan(elapsed, .seconds(3))
    }

    func testLiveReloadSwapsOnlyTheChangedResource() async throws {
        let dir = scratch("reload")
        @Sendable func text(_ c2: String) -> String {
            """
            graph: reload
            resources:
              file:
              - {name: f1, path: \(dir)/f1, content: "same\\n"}
              - {name: f2, path: \(dir)/f2, content: "\(c2)\\n"}
            """
        }
        let logs = LogLines()
        let summary = try await runGraph(text("old"), logs: logs) { s in
            let first = await waitUntil { read(dir + "/f2") == "old\n" && read(dir + "/f1") == "same\n" }
            XCTAssertTrue(first)
            let checksBefore = logs.count("File[f1]")
            s.load(try graph(text("new")))
            let swapped = await waitUntil { read(dir + "/f2") == "new\n" }
            XCTAssertTrue(swapped, "the changed resource is applied")
            XCTAssertEqual(logs.count("graph swapped: 1 added, 1 removed, 1 kept"), 1, logs.all.joined(separator: "\n"))
            XCTAssertEqual(logs.count("File[f1]"), checksBefore, "the unchanged resource is not touched")
            // The kept resource still watches: drift on f1 is repaired.
            try "drift\n".write(toFile: dir + "/f1", atomically: false, encoding: .utf8)
            let repaired = await waitUntil { read(dir + "/f1") == "same\n" }
            XCTAssertTrue(repaired)
        }
        XCTAssertEqual(summary.failed, [])
    }

    func testWatchCommandLinesAreEvents() async throws {
        let dir = scratch("watchcmd")
        let text = """
        graph: watch
        resources:
          exec:
          - name: counter
            cmd: echo run >> \(dir)/runs
            shell: /bin/sh
            watchcmd: 'for i in 1 2 3; do sleep 0.3; echo tick; done; sleep 30'
            watchshell: /bin/sh
        """
        let summary = try await runGraph(text) { _ in
            let ran = await waitUntil(5) { (read(dir + "/runs") ?? "").split(separator: "\n").count >= 3 }
            XCTAssertTrue(ran, "each line of the watch command re-runs the exec")
        }
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(ChildProcesses.running, 0, "the watch command is killed when the run stops")
    }

    func testSemaphoreAllowsOneAtATime() async throws {
        let dir = scratch("sema")
        var resources = ""
        for i in 1...3 {
            resources += """
              - name: s\(i)
                cmd: echo start >> \(dir)/log; sleep 0.1; echo end >> \(dir)/log
                shell: /bin/sh
                meta: {sema: [one]}

            """
        }
        let summary = try await runGraph("graph: sema\nresources:\n  exec:\n" + resources)
        XCTAssertEqual(summary.changed, 3)
        XCTAssertEqual(read(dir + "/log"), String(repeating: "start\nend\n", count: 3), "no two run at once")
    }

    func testTimeoutKillsTheCommand() async throws {
        let dir = scratch("timeout")
        let text = """
        graph: timeout
        resources:
          exec:
          - name: slow
            cmd: sleep 20; touch \(dir)/finished
            shell: /bin/sh
            meta: {timeout: 300}
        """
        let start = ContinuousClock.now
        let summary = try await runGraph(text)
        XCTAssertEqual(summary.failed, ["Exec[slow]"])
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        XCTAssertEqual(ChildProcesses.running, 0)
        XCTAssertFalse(exists(dir + "/finished"))
    }

    func testSymlinkAtThePathIsReplacedNotFollowed() async throws {
        let dir = scratch("symlink")
        try "precious\n".write(toFile: dir + "/elsewhere", atomically: false, encoding: .utf8)
        symlink(dir + "/elsewhere", dir + "/f")
        let summary = try await runGraph("graph: s\nresources:\n  file:\n  - {name: \(dir)/f, content: \"mine\\n\"}\n")
        XCTAssertEqual(summary.changed, 1)
        XCTAssertEqual(read(dir + "/elsewhere"), "precious\n", "the link's target is untouched")
        XCTAssertEqual(FS.info(dir + "/f").kind, .file)
        XCTAssertEqual(read(dir + "/f"), "mine\n")
    }

    func testExecRunsAsUserAndInItsDirectory() async throws {
        let dir = scratch("exec-user")
        chmod(dir, 0o777)
        let text = """
        graph: u
        resources:
          exec:
          - {name: who, cmd: 'id -un > who; pwd > where', shell: /bin/sh, cwd: \(dir), user: nobody}
        """
        let summary = try await runGraph(text)
        XCTAssertEqual(summary.failed, [])
        XCTAssertEqual(read(dir + "/who"), "nobody\n")
        XCTAssertEqual(read(dir + "/where"), dir + "\n")
    }

    func testRecursiveSourceTreeIsWatchedAllTheWayDown() async throws {
        let dir = scratch("recurse")
        try FileManager.default.createDirectory(atPath: dir + "/src/a/b", withIntermediateDirectories: true)
        try "deep\n".write(toFile: dir + "/src/a/b/f", atomically: false, encoding: .utf8)
        let text = """
        graph: r
        resources:
          file:
          - {name: \(dir)/dst/, source: \(dir)/src/, recurse: true, purge: true}
        """
        let summary = try await runGraph(text) { _ in
            let copied = await waitUntil { read(dir + "/dst/a/b/f") == "deep\n" }
            XCTAssertTrue(copied)
            // Drift deep inside the managed tree is repaired…
            try "drift\n".write(toFile: dir + "/dst/a/b/f", atomically: false, encoding: .utf8)
            let repaired = await waitUntil { read(dir + "/dst/a/b/f") == "deep\n" }
            XCTAssertTrue(repaired, "a change two levels down is seen")
            // …an extra file there is purged, and a new source directory is followed.
            FileManager.default.createFile(atPath: dir + "/dst/a/b/extra", contents: Data())
            let purged = await waitUntil { !exists(dir + "/dst/a/b/extra") }
            XCTAssertTrue(purged)
            try FileManager.default.createDirectory(atPath: dir + "/src/a/b/c", withIntermediateDirectories: true)
            try "new\n".write(toFile: dir + "/src/a/b/c/g", atomically: false, encoding: .utf8)
            let followed = await waitUntil { read(dir + "/dst/a/b/c/g") == "new\n" }
            XCTAssertTrue(followed, "a change in the source tree is copied")
        }
        XCTAssertEqual(summary.failed, [])
    }
}
