import ArgumentParser
import PuppetParser

/// Parse one manifest and print its syntax tree.
///
/// `--dump` prints the tree as an S-expression in the shape of Puppet's own model tree dumper,
/// e.g. `$a = 1 + 2` prints `(= $a (+ 1 2))`.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", _superCommandName: "mgmt-puppet", abstract: "Parse a manifest and print its syntax tree.")

    @OptionGroup var input: ManifestInput

    @Flag(help: "Print the tree as a Puppet-style S-expression (the default).")
    var dump = false

    @Flag(help: "Print the classes, defines and nodes the file defines, as JSON lines: {kind, name, required}.")
    var definitions = false

    func run() throws {
        let source = try input.source()
        let program = Parser.parse(source)
        for d in program.diagnostics { printError(d.rendered()) }
        if program.hasErrors { throw ExitCode(1) }
        if definitions {
            printDefinitions(program.body)
            return
        }
        print(Dumper.dump(program))
    }
}

/// One JSON line per class or define: its name and the parameters that have no default (and
/// whose type does not accept undef). Used by scripts/corpus-catalog-report.py.
func printDefinitions(_ e: Expr?) {
    guard let e else { return }
    func line(_ kind: String, _ name: String, _ params: [Parameter]) {
        let required = params.filter { p in
            guard p.value == nil else { return false }
            if let t = p.type, case let .access(base, _) = t.kind, case let .reference(r) = base.kind, r == "Optional" { return false }
            if let t = p.type, case let .reference(r) = t.kind, r == "Optional" || r == "Any" || r == "Undef" { return false }
            return true
        }.map { "\"\($0.name)\"" }
        print("{\"kind\": \"\(kind)\", \"name\": \"\(name)\", \"required\": [\(required.joined(separator: ", "))]}")
    }
    switch e.kind {
    case let .classDefinition(name, _, params, body):
        line("class", name, params)
        printDefinitions(body)
    case let .defineDefinition(name, params, _):
        line("define", name, params)
    case let .block(statements):
        for s in statements { printDefinitions(s) }
    default:
        break
    }
}
