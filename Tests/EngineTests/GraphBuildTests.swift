import Foundation
import Graph
import XCTest
@testable import Engine

/// Automatic edges, cycles, the World, and meta checks: what happens before anything runs.
final class GraphBuildTests: XCTestCase {
    func edges(_ g: EngineGraph) -> [String] { g.autoEdges.map { "\($0.from) -> \($0.to)" }.sorted() }

    func testFileDependsOnItsNearestManagedAncestorOnly() throws {
        let g = try graph("""
        graph: a
        resources:
          file:
          - {name: /a/}
          - {name: /a/b/}
          - {name: /a/b/c/f, content: x}
          - {name: /a/other, content: x}
          - {name: /z/f, content: x}
        """)
        XCTAssertEqual(edges(g), ["File[/a/] -> File[/a/b/]", "File[/a/] -> File[/a/other]", "File[/a/b/] -> File[/a/b/c/f]"])
        XCTAssertEqual(g.autoEdges.map(\.name).sorted(), edges(g).map { "AutoEdge: " + $0 })
    }

    func testExecDependsOnItsDirectoryAndProgram() throws {
        let g = try graph("""
        graph: a
        resources:
          file:
          - {name: /opt/app/}
          - {name: /opt/app/run.sh, content: x, mode: "0755"}
          - {name: /usr/local/bin/check, content: x}
          exec:
          - {name: e, cmd: /opt/app/run.sh --now, cwd: /opt/app, ifcmd: /usr/local/bin/check}
        """)
        XCTAssertEqual(edges(g), ["File[/opt/app/] -> Exec[e]", "File[/opt/app/] -> File[/opt/app/run.sh]",
                                  "File[/opt/app/run.sh] -> Exec[e]", "File[/usr/local/bin/check] -> Exec[e]"])
    }

    func testAutoedgeFalseDisables() throws {
        let g = try graph("""
        graph: a
        resources:
          file:
          - {name: /a/}
          - {name: /a/f, content: x, meta: {autoedge: false}}
        """)
        XCTAssertEqual(edges(g), [])
    }

    func testExplicitEdgeIsNotDuplicated() throws {
        let g = try graph("""
        graph: a
        resources:
          file:
          - {name: /a/}
          - {name: /a/f, content: x}
        edges:
        - {name: mine, from: {kind: file, name: /a/}, to: {kind: file, name: /a/f}, notify: true}
        """)
        XCTAssertEqual(edges(g), [])
        XCTAssertEqual(g.edges.count, 1)
    }

    func testDirnameAndBasenameRewriteThePathAndRejectWhatIsNotAbsolute() throws {
        // Found by the YAML fuzzer: an empty path with a dirname indexed past the end.
        func path(_ params: String) throws -> String {
            let g = try graph("graph: p\nresources:\n  file:\n  - {name: n, \(params)}\n")
            return (g.vertices[0].resource as! FileResource).path
        }
        XCTAssertEqual(try path("path: /a/b/f, dirname: /x/"), "/x/f")
        XCTAssertEqual(try path("path: f, dirname: /x/"), "/x/f", "a path without '/' is all name")
        XCTAssertEqual(try path("path: /a/b/f, basename: g"), "/a/b/g")
        XCTAssertEqual(try path("path: /a/b/, dirname: /x/"), "/x/b/")
        XCTAssertEqual(try path("path: '', dirname: /x/"), "/x/")
        XCTAssertThrowsError(try path("path: f, basename: g")) { error in
            XCTAssertTrue("\(error)".contains("the path 'g' must be absolute"), "\(error)")
        }
        XCTAssertThrowsError(try path("path: '', basename: g")) { error in
            XCTAssertTrue("\(error)".contains("must be absolute"), "\(error)")
        }
    }

    func testCycleIsRejectedNamingIt() throws {
        XCTAssertThrowsError(try graph("""
        graph: c
        resources:
          noop: [{name: a}, {name: b}]
        edges:
        - {name: e1, from: {kind: noop, name: a}, to: {kind: noop, name: b}}
        - {name: e2, from: {kind: noop, name: b}, to: {kind: noop, name: a}}
        """)) { error in
            XCTAssertEqual("\(error)", "dependency cycle: Noop[a] -> Noop[b] -> Noop[a]")
        }
    }

    func testExportedResourcesGoThroughTheWorldAndAreCollectedIntoThePattern() async throws {
        let g = try YAMLDecoder.decode("""
        graph: w
        resources:
          file:
          - {name: "@@shared", path: /tmp/hostA/f3a, content: "from A\\n"}
          - {name: local, path: /tmp/mine/f1, content: x}
        collect:
        - {kind: file, pattern: /tmp/collected/}
        """)
        let world = LocalWorld()
        let local = try await g.exchanging(with: world, host: "a.example")
        let exported = try await world.collect(kinds: ["file"])
        XCTAssertEqual(exported.map(\.host), ["a.example"])
        XCTAssertEqual(exported.map(\.resource.name), ["shared"])
        let built = try EngineGraph(local)
        let paths = built.vertices.compactMap { ($0.resource as? FileResource)?.path }.sorted()
        XCTAssertEqual(paths, ["/tmp/collected/f3a", "/tmp/mine/f1"])
    }

    func testSymbolicAndOctalModes() {
        XCTAssertEqual(FileMode.parse("0644"), 0o644)
        XCTAssertEqual(FileMode.parse("2755"), 0o2755)
        XCTAssertEqual(FileMode.parse("u=rw,go=r"), 0o644)
        XCTAssertEqual(FileMode.parse("ugo=rwx"), 0o777)
        XCTAssertEqual(FileMode.parse("a=r,u=rw"), 0o644)
        XCTAssertNil(FileMode.parse("u+x"))
        XCTAssertNil(FileMode.parse("0989"))
        XCTAssertEqual(FileMode.forDirectory(0o644), 0o755)
    }

    func testCommandLineSplitsLikeMgmt() {
        XCTAssertEqual(CommandSpec(command: "/bin/echo  a\tb").argv, ["/bin/echo", "a", "b"])
        XCTAssertEqual(CommandSpec(command: "echo 'a b'", shell: "/bin/sh").argv, ["/bin/sh", "-c", "echo 'a b'"])
        XCTAssertEqual(CommandSpec(command: "sh -c x", searchPath: ["/nonexistent", "/bin"]).resolvedProgram(), "/bin/sh")
        XCTAssertNil(CommandSpec(command: "no-such-program-here", searchPath: ["/bin"]).resolvedProgram())
    }
}

/// The shared inotify watcher's bookkeeping, driven directly.
final class InotifyTests: XCTestCase {
    func testQueueOverflowMakesEverySubscriberCheck() async throws {
        let dir = scratch("overflow")
        let w = InotifyWatcher.shared
        let hits = LogLines()
        let a = w.subscribe(dir + "/a") { hits.log.line("a") }
        let b = w.subscribe(dir + "/missing/deeper/b") { hits.log.line("b") }
        defer { w.unsubscribe(a); w.unsubscribe(b) }
        var ev = inotify_event()
        ev.wd = -1
        ev.mask = UInt32(IN_Q_OVERFLOW)
        var fire: [@Sendable () -> Void] = []
        w.state.withLock { st in w.handle(ev, "", &st, &fire) }
        for f in fire { f() }
        XCTAssertEqual(hits.all.sorted(), ["a", "b"], "an overflow means any file may have changed")
    }

    func testWatchFollowsADirectoryThatAppearsAndDisappears() async throws {
        let dir = scratch("moving")
        let w = InotifyWatcher.shared
        let hits = LogLines()
        let s = w.subscribe(dir + "/x/y/f") { hits.log.line("f") }
        defer { w.unsubscribe(s) }
        try FileManager.default.createDirectory(atPath: dir + "/x/y", withIntermediateDirectories: true)
        let sawDirs = await waitUntil { hits.all.count >= 1 }
        XCTAssertTrue(sawDirs)
        _ = await waitUntil(0.2) { false } // let the watch move down to x/y
        let before = hits.all.count
        FileManager.default.createFile(atPath: dir + "/x/y/f", contents: Data("1".utf8))
        let sawFile = await waitUntil { hits.all.count > before }
        XCTAssertTrue(sawFile, "once x/y exists the file itself is watched")
        let n = hits.all.count
        try FileManager.default.removeItem(atPath: dir + "/x")
        let sawRemoval = await waitUntil { hits.all.count > n }
        XCTAssertTrue(sawRemoval)
        _ = await waitUntil(0.2) { false }
        let m = hits.all.count
        try FileManager.default.createDirectory(atPath: dir + "/x/y", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/x/y/f", contents: Data("2".utf8))
        let again = await waitUntil { hits.all.count > m }
        XCTAssertTrue(again, "after its directory was removed and recreated, the file is watched again")
    }
}
