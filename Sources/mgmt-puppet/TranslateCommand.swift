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
    static let configuration = CommandConfiguration(commandName: "translate", _superCommandName: "mgmt-puppet",
                                                    abstract: "Translate a manifest into an mgmt YAML graph.")

    @OptionGroup var input: ManifestInput

    @OptionGroup var compile: CompileOptions

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

    func run() throws {
        let source = try input.source()
        var (graph, warnings, _) = try compile.compileToGraph(source, graphName: graphName, keepUntilExit: true,
                                                              encodingResources: !flatten)
        if flatten { graph = Mapper.flatten(graph) }
        if let graphviz {
            try writeAtomically(Mapper.graphviz(graph), to: graphviz)
            renderPNG(dot: graphviz)
        }
        for w in warnings { printError(w) }
        if mgmtCompat {
            let uses = Mapper.extensionUses(graph)
            if !uses.isEmpty {
                printError("error: --mgmt-compat: the graph needs fields mgmt does not read (docs/graph-format.md):\n  " + uses.joined(separator: "\n  "))
                throw ExitCode(1)
            }
        }
        // (The mapper's graph, and a flattened one, come in the codec's order.) Each part is
        // written out as soon as it and those before it are done, while the rest are made.
        let out = try StreamedOutput(to: output)
        let parts = InOrderParts(write: out.write)
        YAMLEncoder.encodeParts(graph, inCodecOrder: true, into: parts)
        ExitKeepAlive.keep(graph)
        PhaseClock.mark("encode")
        try out.finish(written: parts.close())
        PhaseClock.mark("write")
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
