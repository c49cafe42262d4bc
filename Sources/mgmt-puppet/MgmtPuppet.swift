import ArgumentParser
import Graph

/// Migrate from Puppet to an mgmt-style parallel, event-driven engine, one manifest at a time.
@main
struct MgmtPuppet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mgmt-puppet",
        abstract: "Parse, translate and run Puppet manifests as mgmt resource graphs.",
        version: "0.1.0",
        subcommands: [Validate.self, Parse.self, CatalogCommand.self, TranslateCommand.self, DiffCommand.self, RunCommand.self]
    )

    /// The commands that compile once and exit.
    static let batchCommands: Set<String> = ["validate", "parse", "catalog", "translate", "diff"]

    static func main() async {
        PhaseClock.event("main")
        // Before any other thread allocates: the allocator settings must be in place when the
        // threads that work for the command take their arenas.
        let args = Array(CommandLine.arguments.dropFirst())
        if let command = args.first, batchCommands.contains(command) {
            // diff compiles its two sides at once, and catalog and translate parse on a thread
            // of their own while compiling (streaming): those threads keep an arena each.
            tuneAllocatorForBatch(oneArena: ["validate", "parse"].contains(command) || !CompileOptions.streamingByDefault)
        }
        if runBatchCommandDirectly(args) { return }
        if await runDiffDirectly(args) { return }
        await main(nil)
    }

    /// The batch commands CI runs over and over, parsed as the subcommand alone: that skips
    /// ArgumentParser's walk of the whole command tree (its reflection over every command's
    /// options was ~4 ms a run, 17M instructions, more than compiling a small manifest). An
    /// invocation the subcommand does not take as it is — help, a mistake — returns false and
    /// goes the usual way, for the usual output. (The batch commands name `mgmt-puppet` as
    /// their `_superCommandName`, which ArgumentParser reads only of the command it parses as
    /// the root: parsed alone, they then skip its check for `--generate-completion-script`,
    /// another two parses; in the tree, nothing changes.)
    ///
    /// Not async: the command runs here, on the main thread, whose arena is the heap
    /// `tuneAllocatorForBatch` reserved (huge pages, no trimming); awaited, it ran on a worker
    /// thread of the concurrency pool, with an arena of its own growing 4 KiB page by page.
    static func runBatchCommandDirectly(_ args: [String]) -> Bool {
        guard let name = args.first else { return false }
        let rest = Array(args.dropFirst())
        func run<C: ParsableCommand>(_ type: C.Type) -> Bool {
            guard var command = try? type.parse(rest) else { return false }
            PhaseClock.event("arguments parsed")
            do { try command.run() } catch { exit(withError: error) }
            return true
        }
        if name == "catalog" || name == "translate" { EarlyParse.start(guessingFrom: rest) }
        switch name {
        case "catalog": return run(CatalogCommand.self)
        case "translate": return run(TranslateCommand.self)
        case "validate": return run(Validate.self)
        case "parse": return run(Parse.self)
        default: return false
        }
    }

    /// `diff`, whose run is async (its two sides compile at once), parsed as the subcommand alone.
    static func runDiffDirectly(_ args: [String]) async -> Bool {
        guard args.first == "diff", let command = try? DiffCommand.parse(Array(args.dropFirst())) else { return false }
        do { try await command.run() } catch { exit(withError: error) }
        return true
    }
}
