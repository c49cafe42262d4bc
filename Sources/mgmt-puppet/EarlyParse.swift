import Dispatch
import Graph
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
/// wrong guess costs work, never a different result. The file is read on that thread too
/// (a megabyte's read and line index are a few milliseconds the main thread then spends on
/// the command line instead).
enum EarlyParse {
    /// The guessed manifest: once `ready`, its feed, or nil if it could not be read.
    private final class Started: @unchecked Sendable {
        let path: String
        /// Written once, before `ready` is left; read only after waiting for it.
        var feed: StatementFeed?
        let ready = DispatchGroup()
        init(path: String) { self.path = path; ready.enter() }
        func waitedFeed() -> StatementFeed? { ready.wait(); return feed }
    }
    private static let started = Mutex<Started?>(nil)

    /// Starts reading and parsing the guessed manifest, if there is one to guess.
    static func start(guessingFrom arguments: [String]) {
        guard CompileOptions.streamingByDefault else { return }
        let named = arguments.filter { $0.hasSuffix(".pp") && !$0.hasPrefix("-") }
        guard named.count == 1, let path = named.first else { return }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return }
        let early = Started(path: path)
        started.withLock { $0 = early }
        // The main thread's stack size: the parser recurses as deep as the manifest nests.
        // (Its arena takes huge pages: Graph.threadSetup, set by tuneAllocatorForBatch.)
        detachThread(stackSize: 8 << 20) {
            let feed = ManifestFiles.readWholeFile(path).map { StatementFeed(toParse: SourceFile(path: path, bytes: $0)) }
            early.feed = feed
            early.ready.leave()
            feed?.parse()
        }
    }

    /// The file read early, if it was `path` (its parse is taken with `feed(for:)`).
    static func source(for path: String) -> SourceFile? {
        guard let early = started.withLock({ $0 }), early.path == path else { return nil }
        return early.waitedFeed()?.file
    }

    /// The parse begun early of `source`, if it is that very file (taken: asked once).
    static func feed(for source: SourceFile) -> StatementFeed? {
        started.withLock { early in
            guard let e = early, let f = e.waitedFeed(), f.file === source else { return nil }
            early = nil
            return f
        }
    }
}
