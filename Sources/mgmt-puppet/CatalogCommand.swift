import ArgumentParser
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

/// Compile a manifest into a catalog, printed as JSON in the shape of the Puppet oracle
/// (`puppet-catalog-json.rb`): resources, containment and relationships.
///
/// Facts are discovered from this host unless `--oracle-facts` (the oracle's fixed set) is
/// given; `--facts FILE` (JSON or YAML, `facter -j`'s shape) overrides either.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog",
                                                    abstract: "Compile a manifest into a catalog (JSON, in the Puppet oracle's shape).")

    @Argument(help: "The site manifest (omit with -e).")
    var file: String?

    @Option(name: .short, help: "Compile this code instead of a file.")
    var expression: String?

    @Option(help: "Colon-separated directories holding modules.")
    var modulepath: String = ""

    @Option(help: "The node's name (certname), for node matching and $trusted.")
    var certname: String?

    @Option(help: "Alias of --certname.")
    var hostname: String?

    @Option(help: "Facts file (JSON or YAML), merged over the discovered or oracle facts.")
    var facts: String?

    @Flag(help: "Use the fixed facts of the Puppet oracle script instead of this host's.")
    var oracleFacts = false

    @Flag(help: "Collect this catalog's own exported resources with <<| |>> (a single-node PuppetDB).")
    var storeconfigs = false

    @Flag(help: "Unknown variables are errors.")
    var strict = false

    @Flag(help: "One line of JSON.")
    var compact = false

    @Option(name: .short, help: "Write the catalog to this file (atomically) instead of stdout.")
    var output: String?

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
        let name = certname ?? hostname ?? (oracleFacts ? "oracle.example.com" : nil)
        var factValues: [String: Value] = oracleFacts ? Facts.oracle(certname: name ?? "oracle.example.com") : Facts.discover()
        if let facts {
            do {
                for (k, v) in try Facts.load(path: facts) { factValues[k] = v }
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
        }
        let node = name ?? factValues["fqdn"]?.stringValue ?? "localhost"
        let options = Compiler.Options(certname: node, facts: factValues,
                                       modulePath: modulepath.split(separator: ":").map(String.init),
                                       storeconfigs: storeconfigs, strict: strict)
        let compiler = Compiler(options: options, mainFile: source)
        let catalog: Catalog
        do {
            catalog = try compiler.compile(program)
        } catch let e as CompileError {
            for w in compiler.warnings { printError(w) }
            printError("\(e)")
            throw ExitCode(1)
        }
        for w in compiler.warnings { printError(w) }
        let text = catalog.json(pretty: !compact) + "\n"
        if let output {
            try writeAtomically(text, to: output)
        } else {
            print(text, terminator: "")
        }
        // Exit without tearing down the catalog and syntax trees (the OS reclaims them at once).
        fflush(stdout)
        withExtendedLifetime((compiler, catalog, program)) { Glibc.exit(0) }
    }
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers never see a
/// half-written file, and a failure leaves the old file alone.
func writeAtomically(_ text: String, to path: String) throws {
    let tmp = path + ".tmp-\(getpid())"
    guard let f = fopen(tmp, "w") else { printError("\(path): error: cannot write"); throw ExitCode(2) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    let ok = written == bytes.count && fflush(f) == 0 && fsync(fileno(f)) == 0
    fclose(f)
    guard ok, rename(tmp, path) == 0 else {
        unlink(tmp)
        printError("\(path): error: cannot write")
        throw ExitCode(2)
    }
}
