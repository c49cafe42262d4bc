import ArgumentParser

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
        // Before any other thread allocates: the allocator settings must be in place when the
        // worker thread that runs the command takes its arena.
        if let command = CommandLine.arguments.dropFirst().first, batchCommands.contains(command) {
            // diff compiles its two sides at once, and catalog and translate parse on a thread
            // of their own while compiling (streaming): those threads keep an arena each.
            tuneAllocatorForBatch(oneArena: ["validate", "parse"].contains(command) || !CompileOptions.streamingByDefault)
        }
        await main(nil)
    }
}
