import ArgumentParser
import Dispatch
import Engine
import Graph
import PuppetParser
import Synchronization
import Translate
#if canImport(Glibc)
import Glibc
#endif

/// Run an mgmt graph on the parallel, event-driven engine (a .pp manifest is translated first).
///
/// Every resource whose dependencies are met is checked at once; file changes (inotify) and
/// exec watch commands are events, and drift is repaired as soon as it is seen. Automatic
/// edges (file → nearest managed parent directory, exec → its cwd and program) are added and
/// logged. The input and every file it read are watched: an edit swaps the new graph in,
/// keeping unchanged resources running; a broken edit keeps the old graph. SIGINT/SIGTERM stop
/// cleanly (a second one kills running commands). Exit status 1 when a resource failed or
/// was blocked, 0 otherwise.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run",
                                                    abstract: "Run a graph (.yaml) or manifest (.pp) on the event-driven engine.")

    @Argument(help: "An mgmt YAML graph (.yaml/.yml) or a Puppet manifest.")
    var input: String

    @OptionGroup var compile: CompileOptions

    @Option(help: ArgumentHelp("Exit once everything has been idle N seconds (-1: run until stopped).", valueName: "N"))
    var convergedTimeout: Int = -1

    @Flag(help: "Check only: report what would change and change nothing.")
    var noop = false

    @Option(help: "Write the running graph (with automatic edges) as Graphviz dot to this file (and FILE.png if `dot` is installed).")
    var graphviz: String?

    @Flag(help: "Do not rebuild the graph when the input changes.")
    var noWatch = false

    @Flag(help: "Run kinds the engine lacks (pkg, svc) as noop placeholders that keep their edges, with a warning, instead of refusing the graph.")
    var skipUnsupported = false

    /// Many files are written at once, each open until it is durable: the soft limit on open
    /// files (often 1024) goes up to the hard one, as Go's runtime does for mgmt.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    var isYAML: Bool { input.hasSuffix(".yaml") || input.hasSuffix(".yml") }

    func run() async throws {
        Self.raiseOpenFileLimit()
        let log = EngineLog.standardError
        let world = LocalWorld()
        let host = compile.certname ?? compile.hostname ?? Self.hostname()
        guard let (first, files) = await load(world: world, host: host, keepUntilExit: true, log: { printError($0) }) else { throw ExitCode(1) }
        if let graphviz {
            try writeAtomically(first.graphviz(), to: graphviz)
            renderPNG(dot: graphviz)
        }
        // The process exits when the scheduler returns: its inotify subscriptions go with it.
        let scheduler = Scheduler(first, options: .init(convergedTimeout: convergedTimeout, noop: noop, releaseWatches: false), log: log)
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { scheduler.stop() }
            source.resume()
            return source
        }
        var reloader: Reloader?
        if !noWatch {
            reloader = Reloader(files: files) { [self] in
                if let (graph, newFiles) = await load(world: world, host: host, log: { scheduler.note($0) }) {
                    scheduler.load(graph)
                    return newFiles
                }
                scheduler.note("\(input): keeping the running graph")
                return nil
            }
        }
        let summary = await scheduler.run()
        ExitKeepAlive.keep(scheduler)  // its graph too: the exit frees it at once
        PhaseClock.mark("scheduler")
        reloader?.stop()
        for s in signals { s.cancel() }
        ChildProcesses.killAll()
        log.line(summary.description)
        for f in summary.failed { log.line("  failed: \(f)") }
        for b in summary.blocked { log.line("  blocked: \(b)") }
        if !summary.failed.isEmpty || !summary.blocked.isEmpty { throw ExitCode(1) }
    }

    /// Reads, translates (for a manifest), exchanges exports and builds the graph; errors go to
    /// `log` with their positions and give nil. `keepUntilExit` (the first load): the syntax
    /// tree and catalog are left for the process exit to free — freeing 10k resources' worth
    /// object by object cost a fifth of a re-check's instructions; reloads free theirs.
    func load(world: World, host: String, keepUntilExit: Bool = false, log: @escaping (String) -> Void) async -> (EngineGraph, [String])? {
        var graph: Graph
        var files = [input]
        var source: SourceFile?
        if isYAML {
            do {
                PhaseClock.mark("start")
                source = try ManifestFiles.load(input)
                PhaseClock.mark("read")
                graph = try YAMLDecoder.decode(String(decoding: source!.bytes, as: UTF8.self))
                PhaseClock.mark("decode")
            } catch let e as GraphError {
                log(render(e, source))
                return nil
            } catch {
                log("\(error)")
                return nil
            }
        } else {
            do {
                let source = try ManifestFiles.load(input)
                let (mapped, warnings, read) = try compile.compileToGraph(source, keepUntilExit: keepUntilExit)
                for w in warnings { log(w) }
                graph = mapped
                files = read
            } catch {
                if !(error is ExitCode) { log("\(error)") }
                return nil
            }
        }
        if skipUnsupported {
            var renamed: [Ref: Ref] = [:]
            for i in graph.resources.indices where !ResourceKinds.supported.contains(graph.resources[i].kind) {
                let r = graph.resources[i]
                log("warning: \(r.ref): the engine cannot run \(r.kind) resources yet; skipped (a noop that keeps its edges)")
                graph.resources[i] = Resource(kind: "noop", name: r.name, params: [:], meta: nil)
                graph.resources[i].position = r.position
                renamed[r.ref] = graph.resources[i].ref
            }
            for j in graph.edges.indices {
                if let to = renamed[graph.edges[j].from] { graph.edges[j].from = to }
                if let to = renamed[graph.edges[j].to] { graph.edges[j].to = to }
            }
        }
        do {
            graph = try await graph.exchanging(with: world, host: host)
            PhaseClock.mark("exchange")
            let built = try EngineGraph(graph, log: { line in log(line) })
            if keepUntilExit { ExitKeepAlive.keep(graph) }
            PhaseClock.mark("engine graph")
            return (built, files)
        } catch let e as EngineGraph.Failure {
            for r in e.errors { log(r.position == nil ? "\(input): error: \(r.message)" : render(r.graphError(), source)) }
            return nil
        } catch {
            log("\(input): error: \(error)")
            return nil
        }
    }

    /// `path:line:col: error: message`, the line, a caret (for YAML input).
    func render(_ e: GraphError, _ source: SourceFile?) -> String {
        guard let source else { return e.rendered(path: input) }
        return e.rendered(path: input) + "\n" + source.excerpt(line: e.line, column: e.column)
    }

    static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return String(cString: buf)
    }
}

/// Watches the input files; after a change (debounced) calls `reload`, which returns the new
/// list of files to watch, or nil to keep watching the old ones.
final class Reloader: Sendable {
    let state = Mutex((subs: [InotifyWatcher.Subscription](), generation: 0, stopped: false))
    let reload: @Sendable () async -> [String]?

    init(files: [String], reload: @escaping @Sendable () async -> [String]?) {
        self.reload = reload
        watch(files)
    }

    func watch(_ files: [String]) {
        let subs = files.map { f in
            InotifyWatcher.shared.subscribe(Self.absolute(f)) { [weak self] in self?.changed() }
        }
        state.withLock { s in
            for old in s.subs { InotifyWatcher.shared.unsubscribe(old) }
            s.subs = s.stopped ? [] : subs
            if s.stopped { for n in subs { InotifyWatcher.shared.unsubscribe(n) } }
        }
    }

    func changed() {
        let gen = state.withLock { s -> Int in s.generation += 1; return s.generation }
        Task {
            // Editors write in several steps; act once the file has been quiet for 100 ms.
            try? await Task.sleep(for: .milliseconds(100))
            guard state.withLock({ $0.generation == gen && !$0.stopped }) else { return }
            if let files = await reload() { watch(files) }
        }
    }

    func stop() {
        state.withLock { s in
            s.stopped = true
            for old in s.subs { InotifyWatcher.shared.unsubscribe(old) }
            s.subs = []
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, 4096) != nil else { return path }
        return String(cString: buf) + "/" + path
    }
}
