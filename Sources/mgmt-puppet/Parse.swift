import ArgumentParser
import PuppetParser

/// Parse one manifest and print its syntax tree.
///
/// `--dump` prints the tree as an S-expression in the shape of Puppet's own model tree dumper,
/// e.g. `$a = 1 + 2` prints `(= $a (+ 1 2))`.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Parse a manifest and print its syntax tree.")

    @Argument(help: "The manifest to parse (omit with -e).")
    var file: String?

    @Option(name: .short, help: "Parse this code instead of a file.")
    var expression: String?

    @Flag(help: "Print the tree as a Puppet-style S-expression (the default).")
    var dump = false

    func validate() throws {
        if (file == nil) == (expression == nil) {
            throw ValidationError("Give either a FILE or -e CODE.")
        }
    }

    func run() throws {
        let source: SourceFile
        if let expression {
            source = SourceFile(path: "-e", text: expression)
        } else {
            do {
                source = try ManifestFiles.load(file!)
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
        }
        let program = Parser.parse(source)
        for d in program.diagnostics { printError(d.rendered()) }
        if program.hasErrors { throw ExitCode(1) }
        print(Dumper.dump(program))
    }
}
