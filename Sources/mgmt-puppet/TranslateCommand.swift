import ArgumentParser
import Graph
import PuppetParser
import Translate
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Translate a manifest into an mgmt resource graph (YAML), byte-stable for CI diffs.
///
/// Compiles the catalog as `catalog` does, then maps it: file → file, package → pkg,
/// service → svc, exec → exec (guards, refreshonly, returns kept), notify → msg, containers →
/// noop admissible/completed pairs; refresh relationships become `notify: true` edges.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "translate",
                                                    abstract: "Translate a manifest into an mgmt YAML graph.")

    @Argument(help: "The site manifest (omit with -e).")
    var file: String?

    @Option(name: .short, help: "Translate this code instead of a file.")
    var expression: String?

    @Option(help: "Colon-separated directories holding modules.")
    var modulepath: String = ""

    @Option(help: "The node's name (certname).")
    var certname: String?

    @Option(help: "Facts file (JSON or YAML), merged over the discovered or oracle facts.")
    var facts: String?

    @Flag(help: "Use the fixed facts of the Puppet oracle script instead of this host's.")
    var oracleFacts = false

    @Flag(help: "Collect this catalog's own exported resources with <<| |>>.")
    var storeconfigs = false

    @Option(help: "The graph's name (default: the certname).")
    var graphName: String?

    @Option(name: .short, help: "Write the graph to this file (atomically) instead of stdout.")
    var output: String?

    @Flag(help: "Fail if the graph needs fields that mgmt itself does not read (see docs/graph-format.md).")
    var mgmtCompat = false

    @Flag(help: "Leave out container whits: project every edge onto real resources.")
    var flatten = false

    @Option(help: "Also write the graph as Graphviz dot to this file (and FILE.png if `dot` is installed).")
    var graphviz: String?

    func validate() throws {
        if (file == nil) == (expression == nil) { throw ValidationError("Give either a FILE or -e CODE.") }
    }

    func run() throws {
        let source: SourceFile
        if let expression {
            source = SourceFile(path: "-e", text: expression)
        } else {
            do { source = try ManifestFiles.load(file!) } catch { printError("\(error)"); throw ExitCode(2) }
        }
        let program = Parser.parse(source)
        if program.hasErrors {
            for d in program.diagnostics { printError(d.rendered()) }
            throw ExitCode(1)
        }
        var factValues: [String: Value] = oracleFacts ? Facts.oracle(certname: certname ?? "oracle.example.com") : Facts.discover()
        if let facts {
            do { for (k, v) in try Facts.load(path: facts) { factValues[k] = v } } catch { printError("\(error)"); throw ExitCode(2) }
        }
        let node = certname ?? (oracleFacts ? "oracle.example.com" : factValues["fqdn"]?.stringValue ?? "localhost")
        let paths = modulepath.split(separator: ":").map(String.init)
        let compiler = Compiler(options: Compiler.Options(certname: node, facts: factValues, modulePath: paths,
                                                          storeconfigs: storeconfigs), mainFile: source)
        let catalog: Catalog
        do {
            catalog = try compiler.compile(program)
        } catch let e as CompileError {
            printError("\(e)")
            throw ExitCode(1)
        }
        var mapper = Mapper(options: Mapper.Options(graphName: graphName ?? node, modulePath: paths))
        var (graph, _) = mapper.map(catalog)
        if flatten { graph = Mapper.flatten(graph) }
        if let graphviz {
            try writeAtomically(Mapper.graphviz(graph), to: graphviz)
            renderPNG(dot: graphviz)
        }
        for w in compiler.warnings + mapper.warnings { printError("warning: \(w)") }
        if mgmtCompat {
            let uses = Mapper.extensionUses(graph)
            if !uses.isEmpty {
                printError("error: --mgmt-compat: the graph needs fields mgmt does not read (docs/graph-format.md):\n  " + uses.joined(separator: "\n  "))
                throw ExitCode(1)
            }
        }
        let text = YAMLEncoder.encode(graph)
        if let output { try writeAtomically(text, to: output) } else { print(text, terminator: "") }
    }
}

/// Runs Graphviz's `dot -Tpng` on a .dot file when `dot` is installed (quietly skipped otherwise).
func renderPNG(dot path: String) {
    for dir in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/dot") {
        let png = (path.hasSuffix(".dot") ? String(path.dropLast(4)) : path) + ".png"
        var pid: pid_t = 0
        let args = [dir + "/dot", "-Tpng", "-o", png, path]
        var cargs = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        if posix_spawn(&pid, dir + "/dot", nil, nil, &cargs, environ) == 0 {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        return
    }
}
