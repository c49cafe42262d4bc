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
}
