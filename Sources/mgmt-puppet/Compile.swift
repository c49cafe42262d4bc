import ArgumentParser
import CSystem
import Graph
import PuppetParser
import Translate
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A manifest given as a file, or as code with `-e`.
struct ManifestInput: ParsableArguments {
    @Argument(help: "The site manifest (omit with -e).")
    var file: String?

    @Option(name: .short, help: ArgumentHelp("Use this code instead of a file.", valueName: "code"))
    var expression: String?

    func validate() throws {
        if (file == nil) == (expression == nil) { throw ValidationError("Give either a FILE or -e CODE.") }
    }

    func source() throws -> SourceFile {
        if let expression { return SourceFile(path: "-e", text: expression) }
        if let early = EarlyParse.source(for: file!) { return early }
        do { return try ManifestFiles.load(file!) } catch { printError("\(error)"); throw ExitCode(2) }
    }
}

/// The options every command that compiles a manifest shares.
struct CompileOptions: ParsableArguments {
    @Option(help: "Colon-separated directories holding modules.")
    var modulepath: String = ""

    @Option(help: "The node's name (certname), for node matching.")
    var certname: String?

    @Option(help: "Alias of --certname.")
    var hostname: String?

    @Flag(help: "Unknown variables are errors.")
    var strict = false

    @Option(help: "Facts file (JSON or YAML), merged over the discovered or oracle facts.")
    var facts: String?

    @Flag(help: "Use the fixed facts of the Puppet oracle script instead of this host's.")
    var oracleFacts = false

    @Flag(help: "Collect this catalog's own exported resources with <<| |>>.")
    var storeconfigs = false

    var modulePaths: [String] { modulepath.split(separator: ":").map(String.init) }

    /// Parses and compiles; diagnostics and errors are printed, then an exit code is thrown.
    /// One-shot commands pass `keepUntilExit`: the syntax tree and catalog are then left for the
    /// process exit to free (tearing down 10k resources object by object costs ~10 ms).
    /// `whenResourcesFinal`: see Compiler.whenResourcesFinal (called for each compile attempt).
    func compile(_ source: SourceFile, factsFile: String? = nil, keepUntilExit: Bool = false,
                 streaming: Bool = CompileOptions.streamingByDefault,
                 whenResourcesFinal: ((Catalog) -> Void)? = nil) throws -> (Catalog, node: String, warnings: [String]) {
        let (catalog, node, warnings, _) = try compileReadingFiles(source, factsFile: factsFile, keepUntilExit: keepUntilExit,
                                                                   streaming: streaming, whenResourcesFinal: whenResourcesFinal)
        return (catalog, node, warnings)
    }

    /// `compile`, also returning every file the compilation read.
    ///
    /// `streaming` (the default, unless MGMT_PUPPET_STREAMING=0): the manifest is parsed on a
    /// thread of its own while the compiler evaluates the statements parsed so far
    /// (Compiler.compile(streaming:)). Should that fail, the finished parse is compiled again
    /// the plain way, whose result and messages are the reference.
    func compileReadingFiles(_ source: SourceFile, factsFile: String? = nil, keepUntilExit: Bool = false,
                             streaming: Bool = CompileOptions.streamingByDefault,
                             whenResourcesFinal: ((Catalog) -> Void)? = nil) throws -> (Catalog, node: String, warnings: [String], files: [String]) {
        PhaseClock.mark("start")
        let feed = streaming ? EarlyParse.feed(for: source) ?? .parsingWithOwnArena(source) : nil
        if let feed, keepUntilExit { ExitKeepAlive.keep(feed) }
        func parsed() throws -> Program {
            let program = feed?.program ?? Parser.parse(source)
            if keepUntilExit { ExitKeepAlive.keep(program) }
            if program.hasErrors {
                for d in program.diagnostics { printError(d.rendered()) }
                throw ExitCode(1)
            }
            return program
        }
        let program = feed == nil ? try parsed() : nil
        if feed == nil { PhaseClock.mark("parse") }
        let certname = self.certname ?? hostname
        var factValues: [String: Value] = oracleFacts ? Facts.oracle(certname: certname ?? "oracle.example.com") : Facts.discover()
        for file in [facts, factsFile].compactMap({ $0 }) {
            do { for (k, v) in try Facts.load(path: file) { factValues[k] = v } } catch {
                // A syntax error is reported first, streaming or not.
                if feed != nil { _ = try parsed() }
                printError("\(error)")
                throw ExitCode(2)
            }
        }
        let node = certname ?? (oracleFacts ? "oracle.example.com" : factValues["fqdn"]?.stringValue ?? "localhost")
        let options = Compiler.Options(certname: node, facts: factValues, modulePath: modulePaths, storeconfigs: storeconfigs, strict: strict)
        var compiler = Compiler(options: options, mainFile: source)
        compiler.whenResourcesFinal = whenResourcesFinal
        do {
            let catalog: Catalog
            if let feed {
                do {
                    catalog = try compiler.compile(streaming: feed)
                } catch {
                    let program = try parsed()
                    compiler = Compiler(options: options, mainFile: source)
                    compiler.whenResourcesFinal = whenResourcesFinal
                    catalog = try compiler.compile(program)
                }
            } else {
                catalog = try compiler.compile(program!)
            }
            if keepUntilExit { ExitKeepAlive.keep(compiler) }
            PhaseClock.mark("compile")
            return (catalog, node, compiler.warnings, compiler.loadedFiles)
        } catch let e as CompileError {
            for w in compiler.warnings { printError(w) }
            printError("\(e)")
            throw ExitCode(1)
        }
    }

    /// `compileReadingFiles`, then the catalog as an mgmt graph (named `graphName`, else after
    /// the node), with the compile warnings and then the mapper's (`warning: ...`). A large
    /// catalog's resources are mapped on the other core while the compiler checks its
    /// relationships (MappingResources).
    /// `encodingResources`: the caller will encode the graph as YAML, whose resource section is
    /// then written while the edges are made.
    func compileToGraph(_ source: SourceFile, graphName: String? = nil, keepUntilExit: Bool = false,
                        encodingResources: Bool = false) throws -> (graph: Graph, warnings: [String], files: [String]) {
        final class Started { var mapping: MappingResources? }
        let started = Started()
        let early = Mapper.Options(graphName: "", modulePath: modulePaths)
        let (catalog, node, warnings, files) = try compileReadingFiles(source, keepUntilExit: keepUntilExit, whenResourcesFinal: { c in
            guard c.isLarge else { return }
            started.mapping = MappingResources(c, options: early, encodingResources: encodingResources)
        })
        // The compiler's thread collects and checks the relationships first, from resources
        // still in its own cache (it made them; a resource another thread has touched since
        // is a cache miss here), then maps what the mapping thread has not taken yet.
        started.mapping?.help()
        var mapper = Mapper(options: Mapper.Options(graphName: graphName ?? node, modulePath: modulePaths))
        let graph = mapper.map(catalog, started: started.mapping).graph
        PhaseClock.mark("map")
        return (graph, warnings + mapper.warnings.map { "warning: " + $0 }, files)
    }

    /// MGMT_PUPPET_STREAMING=0 turns the streaming compile off (to compare the two).
    static let streamingByDefault = getenv("MGMT_PUPPET_STREAMING").map { String(cString: $0) != "0" } ?? true
}

/// One-shot commands (validate, parse, catalog, translate, diff) build a large heap once and
/// exit: glibc's allocator is set up for that (one arena, a big top pad, huge pages;
/// csystem.c), which takes about a fifth off compiling 10k resources. `run` keeps the defaults; `diff`, which compiles
/// two sides at once, keeps an arena per thread.
func tuneAllocatorForBatch(oneArena: Bool) {
    _ = csys_tune_malloc_for_batch(512 << 20, oneArena ? 1 : 0)
    // The threads that map and write beside the compile (Graph.startThread) then take huge
    // pages too: ~1,300 fewer page faults in a 10k translate (of ~4,400).
    // And they start on the other CPU at once, not after a scheduler tick (csystem.h).
    // (The restore does nothing where there was nothing to spread over.)
    if csys_spread_threads_init() == 1 { threadAttributes = { _ = csys_thread_attr_elsewhere($0) } }
    threadSetup = {
        _ = csys_thread_affinity_restore()
        if !oneArena { _ = csys_advise_thread_heap() }
    }
}

extension StatementFeed {
    /// The parse on a thread of its own, whose malloc arena is marked for huge pages first.
    static func parsingWithOwnArena(_ source: SourceFile) -> StatementFeed {
        StatementFeed(parsing: source, threadSetup: { _ = csys_advise_thread_heap() })
    }
}

/// Values a one-shot command leaves for the process exit to free.
/// (`diff` compiles its two sides at once, hence the lock.)
enum ExitKeepAlive {
    private static let values = Mutex<[Any]>([])
    static func keep(_ value: Any) { values.withLock { $0.append(value) } }
}

/// `git show REV:PATH`, for comparing a manifest at two revisions without a checkout.
func gitShow(_ rev: String, _ path: String) throws -> String {
    func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let relative = path.hasPrefix("/") ? path : "./" + path
    guard let pipe = popen("git show \(shellQuote(rev + ":" + relative)) 2>&1", "r") else {
        throw ValidationError("cannot run git")
    }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, pipe)
        if n <= 0 { break }
        data += buffer[0..<n]
    }
    let status = pclose(pipe)
    let text = String(decoding: data, as: UTF8.self)
    guard status == 0 else { throw ValidationError("git show \(rev):\(path): \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
    return text
}
