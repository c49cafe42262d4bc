import XCTest
import Graph
import PuppetParser
@testable import Translate

/// The cases of puppet-mgmtgraph's own suite (ffrank/puppet-mgmtgraph spec/, listed in
/// ../shared/reference/puppet-peers.md §A.5; Apache-2.0), as inputs: our graph must carry at
/// least what the peer's does — and the refresh flags and exec guards it drops. Types Puppet 7
/// no longer ships (cron, host, mount, augeas) are replaced by ones it does (user, group).
final class PeerAcceptanceTests: XCTestCase {
    func translate(_ code: String) throws -> (Graph, [String]) {
        let catalog = try compileForTest(code)
        var mapper = Mapper(options: Mapper.Options(graphName: "peer"))
        let g = mapper.map(catalog).graph
        return (g, mapper.warnings)
    }

    func resource(_ g: Graph, _ kind: String, _ name: String) -> Resource? {
        g.resources.first { $0.kind == kind && $0.name == name }
    }

    func flatEdges(_ g: Graph) -> Set<String> {
        Set(Mapper.flatten(g).edges.map { "\($0.from) -> \($0.to)" + ($0.notify ? " notify" : "") })
    }

    // catalog_translation_spec 1, 5: chains give edges; unsupported types keep theirs.
    func testChainEdgesAndPlaceholdersKeepEdges() throws {
        let (g, warnings) = try translate("file{'/tmp/foo':} -> file{'/tmp/bar':} -> group{'user':}")
        let edges = flatEdges(g)
        XCTAssertTrue(edges.contains("File[/tmp/foo] -> File[/tmp/bar]"), "\(edges)")
        XCTAssertTrue(edges.contains("File[/tmp/bar] -> Noop[Group[user]]"), "\(edges)")
        XCTAssertTrue(warnings.contains { $0.contains("Group[user]") })
        let (g2, _) = try translate("group{'a': before => Group['b']} group{'b':}")
        XCTAssertTrue(flatEdges(g2).contains("Noop[Group[a]] -> Noop[Group[b]]"))
        XCTAssertNil(resource(g2, "noop", "Group[a]")?.params["before"])
    }

    // catalog_translation_spec 2: the edge stays the same with arrays chained around it, and
    // the whole output is byte-stable.
    func testEdgesAreDeterministic() throws {
        let code = "file{['/a','/b']:} -> file{'/tmp/foo':} -> file{'/tmp/bar':} -> file{'/c':}\nfile{'/d':} -> File['/a']\n"
        let (g, _) = try translate(code)
        XCTAssertTrue(flatEdges(g).contains("File[/tmp/foo] -> File[/tmp/bar]"))
        XCTAssertTrue(flatEdges(g).contains("File[/a] -> File[/tmp/foo]") && flatEdges(g).contains("File[/b] -> File[/tmp/foo]"))
        XCTAssertEqual(YAMLEncoder.encode(g), YAMLEncoder.encode(try translate(code).0))
    }

    // catalog_translation_spec 3, 6, 7 and type/service: services become svc whatever the provider
    // or restart attributes (the peer fell back to slow wrappers for those).
    func testServices() throws {
        let (g, _) = try translate("service{'apache2': ensure => running, provider => 'systemd'}\nservice{'spec': hasrestart => true, provider => 'systemd', enable => false}")
        let apache = resource(g, "svc", "apache2")
        XCTAssertEqual(apache?.params["state"], .string("running"))
        XCTAssertNil(apache?.params["startup"])
        XCTAssertEqual(resource(g, "svc", "spec")?.params["startup"], .string("disabled"))
    }

    // type/file
    func testFiles() throws {
        let (g, _) = try translate("file{'/tmp/d': ensure => directory, source => '/tmp/spec_source'}\nfile{'/tmp/p': ensure => present}\nfile{'/tmp/f': ensure => file}")
        XCTAssertEqual(resource(g, "file", "/tmp/d")?.params["path"], .string("/tmp/d/"))
        XCTAssertEqual(resource(g, "file", "/tmp/d")?.params["source"], .string("/tmp/spec_source"))
        for name in ["/tmp/d", "/tmp/p", "/tmp/f"] { XCTAssertEqual(resource(g, "file", name)?.params["state"], .string("exists")) }
    }

    // type/package: where the peer gave up (versions, latest), we translate.
    func testPackages() throws {
        let (g, _) = try translate("package{'a': ensure => present} package{'b': ensure => absent} package{'c': ensure => purged} package{'d': ensure => '1.3.1-5'} package{'e': ensure => latest}")
        let states = ["a": "installed", "b": "uninstalled", "c": "uninstalled", "d": "1.3.1-5", "e": "newest"]
        for (name, state) in states { XCTAssertEqual(resource(g, "pkg", name)?.params["state"], .string(state), name) }
    }

    // type/exec and issue #16: the guards real manifests use are kept natively.
    func testExecKeepsGuardsAndRefresh() throws {
        let (g, _) = try translate("""
        file{'/etc/app.conf': content => 'x'}
        exec{'reload': command => 'app reload', path => ['/bin', '/usr/bin'], unless => 'test -f /run/app', onlyif => 'test -d /etc',
          creates => '/run/x', refreshonly => true, environment => ['A=1'], cwd => '/tmp', user => 'root', timeout => 30, tries => 3, try_sleep => 2,
          subscribe => File['/etc/app.conf']}
        """)
        let e = resource(g, "exec", "reload")
        XCTAssertEqual(e?.params["cmd"], .string("app reload"))
        XCTAssertEqual(e?.params["nifcmd"], .string("test -f /run/app"))
        XCTAssertEqual(e?.params["ifcmd"], .string("test -d /etc"))
        XCTAssertEqual(e?.params["creates"], .string("/run/x"))
        XCTAssertEqual(e?.params["refreshonly"], .bool(true))
        XCTAssertEqual(e?.params["path"], .list([.string("/bin"), .string("/usr/bin")]))
        XCTAssertEqual(e?.params["env"], .map(["A": .string("1")]))
        XCTAssertEqual(e?.params["cwd"], .string("/tmp"))
        XCTAssertEqual(e?.meta?.timeout, 30_000)
        XCTAssertEqual(e?.meta?.retry, 2)
        XCTAssertEqual(e?.meta?.delay, 2_000)
        // The refresh the peer loses: subscribe gives a notify edge.
        XCTAssertTrue(flatEdges(g).contains("File[/etc/app.conf] -> Exec[reload] notify"), "\(flatEdges(g))")
    }

    // type/notify and the acceptance check `print --code 'notify { "hi": }' | grep msg:`.
    func testNotifyBecomesMsg() throws {
        let (g, _) = try translate("notify { 'hi': }\nnotify { 'm': message => 'hello' }")
        XCTAssertEqual(resource(g, "msg", "hi")?.params["body"], .string("hi"))
        XCTAssertEqual(resource(g, "msg", "m")?.params["body"], .string("hello"))
        XCTAssertTrue(YAMLEncoder.encode(g).contains("  msg:\n"))
    }
}
