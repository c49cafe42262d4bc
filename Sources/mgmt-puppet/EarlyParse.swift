import PuppetParser
import Synchronization
import Translate
#if canImport(Glibc)
import Glibc
#endif

/// The manifest `catalog` or `translate` names, read and parsing on a thread of its own while
/// ArgumentParser parses the command line (~12M instructions, most of them the runtime's first
/// protocol conformance lookups: more than compiling a small manifest). The path is a guess
/// from the raw arguments — the one argument ending in `.pp` that names a regular file — and
/// the parse is used only when the parsed command reads that very path (`source(for:)`): a
/// wrong guess costs work, never a different result.
enum EarlyParse {
    private static let started = Mutex<StatementFeed?>(nil)

    /// Starts the parse of the guessed manifest, if there is one to guess.
    static func start(guessingFrom arguments: [String]) {
        guard CompileOptions.streamingByDefault else { return }
        let named = arguments.filter { $0.hasSuffix(".pp") && !$0.hasPrefix("-") }
        guard named.count == 1, let path = named.first else { return }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let bytes = ManifestFiles.readWholeFile(path) else { return }
        let feed = StatementFeed.parsingWithOwnArena(SourceFile(path: path, bytes: bytes))
        started.withLock { $0 = feed }
    }

    /// The file read early, if it was `path` (its parse is taken with `feed(for:)`).
    static func source(for path: String) -> SourceFile? {
        started.withLock { feed in feed?.file.path == path ? feed?.file : nil }
    }

    /// The parse begun early of `source`, if it is that very file (taken: asked once).
    static func feed(for source: SourceFile) -> StatementFeed? {
        started.withLock { feed in
            guard let f = feed, f.file === source else { return nil }
            feed = nil
            return f
        }
    }
}
