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

/// Compile a manifest into a catalog, printed as JSON in the shape of the Puppet oracle
/// (`puppet-catalog-json.rb`): resources, containment and relationships.
///
/// Facts are discovered from this host unless `--oracle-facts` (the oracle's fixed set) is
/// given; `--facts FILE` (JSON or YAML, `facter -j`'s shape) overrides either.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", _superCommandName: "mgmt-puppet",
                                                    abstract: "Compile a manifest into a catalog (JSON, in the Puppet oracle's shape).")

    @OptionGroup var input: ManifestInput

    @OptionGroup var compile: CompileOptions

    @Flag(help: "One line of JSON.")
    var compact = false

    @Option(name: .short, help: "Write the catalog to this file (atomically) instead of stdout.")
    var output: String?

    func run() throws {
        let source = try input.source()
        // A large catalog's resources are written while its relationships are checked.
        final class Started { var writing: CatalogJSONWriting? }
        let started = Started()
        let (catalog, _, warnings) = try compile.compile(source, keepUntilExit: true, whenResourcesFinal: { [compact] c in
            if c.isLarge { started.writing = CatalogJSONWriting(c, pretty: !compact) }
        })
        for w in warnings { printError(w) }
        // (A first compile attempt that failed may have started one for its own catalog.)
        let parts = started.writing.flatMap { $0.catalog === catalog ? $0.finishParts() : nil } ?? [catalog.jsonBuffer(pretty: !compact)]
        PhaseClock.mark("json")
        try writeOutput(parts, to: output)
    }
}

/// Writes a command's output: atomically to `path`, or whole to standard output (bytes, not a
/// String of a many-megabyte text).
func writeOutput(_ bytes: [UInt8], to path: String?) throws {
    try bytes.withUnsafeBytes { try writeOutput($0, to: path) }
}

func writeOutput(_ buffer: ByteBuffer, to path: String?) throws {
    try writeOutput([buffer], to: path)
}

/// The buffers one after another, as one output (large outputs are made in parts at once).
func writeOutput(_ buffers: [ByteBuffer], to path: String?) throws {
    let out = try StreamedOutput(to: path)
    try out.finish(written: buffers.allSatisfy(out.write))
}

func writeOutput(_ bytes: UnsafeRawBufferPointer, to path: String?) throws {
    try writeOutput([bytes], to: path)
}

func writeOutput(_ chunks: [UnsafeRawBufferPointer], to path: String?) throws {
    let out = try StreamedOutput(to: path)
    try out.finish(written: chunks.allSatisfy(out.write))
}

/// A command's output written part by part as the parts are done, from any thread, one at a
/// time (`InOrderParts`): to standard output, or to a temporary file beside `path` that
/// `finish` renames over it once all is written (readers never see half a file; a failure
/// leaves the old one alone).
final class StreamedOutput: @unchecked Sendable {
    private let fd: Int32
    private let path: String?, tmp: String?
    /// The first write's error (errno), if one failed.
    private var failure: Int32 = 0

    init(to path: String?) throws {
        self.path = path
        if let path {
            let tmp = path + ".tmp-\(getpid())"
            // (0666 less the umask, as `fopen` makes a file.)
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { printError("\(path): error: cannot write"); throw ExitCode(2) }
            (self.fd, self.tmp) = (fd, tmp)
        } else {
            fflush(stdout)
            (fd, tmp) = (1, nil)
        }
    }

    /// Writes all of `bytes` (false, and the error kept, if it cannot).
    func write(_ bytes: ByteBuffer) -> Bool { bytes.withUnsafeBytes(write) }

    func write(_ buf: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { failure = n < 0 ? errno : EIO; return false }
            done += n
        }
        return true
    }

    /// After the last part (`written`: whether every part was): the file synced and renamed
    /// into place, or the error reported and the temporary file removed.
    func finish(written: Bool) throws {
        guard let path, let tmp else {
            guard written else {
                printError("error: cannot write to standard output: \(String(cString: strerror(failure)))")
                throw ExitCode(2)
            }
            return
        }
        // (A file system may report a write's failure only at close.)
        let synced = written && fsync(fd) == 0
        let ok = close(fd) == 0 && synced
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            printError("\(path): error: cannot write")
            throw ExitCode(2)
        }
    }
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers never see a
/// half-written file, and a failure leaves the old file alone.
func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Array(text.utf8), to: path)
}

func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try bytes.withUnsafeBytes { try writeAtomically($0, to: path) }
}

func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    try writeAtomically([bytes], to: path)
}

func writeAtomically(_ chunks: [UnsafeRawBufferPointer], to path: String) throws {
    try writeOutput(chunks, to: path)
}
