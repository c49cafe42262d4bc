import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials  // not all of Foundation: no ICU to load at start-up
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import PuppetParser

/// Check the syntax of manifests, like `puppet parser validate`.
///
/// A directory means every `.pp` file below it. Errors are printed as `path:line:col: error:
/// message` with the source line and a caret; the exit status is 1 if any file has an error.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", _superCommandName: "mgmt-puppet", abstract: "Check the syntax of manifests, like `puppet parser validate`.")

    enum Format: String, ExpressibleByArgument { case text, json }

    @Argument(help: "Manifest files or directories.")
    var paths: [String]

    @Option(help: "Output format: text (diagnostics on stderr) or json (a report on stdout).")
    var format: Format = .text

    func run() throws {
        let files: [String]
        do {
            files = try ManifestFiles.expand(paths)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var report = Report()
        // The last syntax tree is kept until exit: freeing a million nodes one by one costs more
        // than the parse of a large manifest, and the OS reclaims the memory at once.
        var lastProgram: Program?
        defer { withExtendedLifetime(lastProgram) {} }
        for path in files {
            report.files += 1
            let source: SourceFile
            do {
                source = try ManifestFiles.load(path)
            } catch {
                report.problems.append(.init(file: path, line: 0, column: 0, severity: "error", message: "cannot read file"))
                if format == .text { printError("\(error)") }
                continue
            }
            lastProgram = nil
            let program = Parser.parse(source)
            lastProgram = program
            for d in program.diagnostics {
                let loc = d.location
                report.problems.append(.init(file: path, line: loc.line, column: loc.column, severity: d.severity.rawValue, message: d.message))
                if format == .text { printError(d.rendered()) }
            }
        }
        report.ok = !report.problems.contains { $0.severity == "error" }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
        fflush(stdout)
        Glibc.exit(report.ok ? 0 : 1)
    }

    struct Report: Encodable {
        struct Problem: Encodable {
            let file: String
            let line: Int
            let column: Int
            let severity: String
            let message: String
        }
        var files = 0
        var ok = true
        var problems: [Problem] = []
    }
}
