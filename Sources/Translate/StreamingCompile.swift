import Dispatch
import Graph
import PuppetParser
import Synchronization

/// A manifest parsed on a thread of its own, its top-level statements handed over one at a
/// time as they are parsed and validated (Parser.parse's `onStatement`), so that a compiler on
/// another core can evaluate the start of a large manifest while the rest is still being read.
public final class StatementFeed: @unchecked Sendable {
    public let file: SourceFile

    private struct State {
        var statements: [Expr] = []
        var program: Program?
        var consumerWaits = false
    }
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// Starts parsing `file`; `threadSetup` runs first on the parser's thread.
    public convenience init(parsing file: SourceFile, threadSetup: (@Sendable () -> Void)? = nil) {
        self.init(toParse: file)
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            threadSetup?()
            parse()
        }
    }

    /// A feed whose parse is `parse()`, run by the caller on a thread of its choosing.
    public init(toParse file: SourceFile) {
        self.file = file
    }

    /// Parses the file here, handing over each statement as it is parsed (once).
    public func parse() {
        PhaseClock.event("parse start")
        let program = Parser.parse(file, onStatement: { self.publish($0) })
        PhaseClock.event("parse end")
        publish(end: program)
    }

    private func publish(_ statement: Expr? = nil, end program: Program? = nil) {
        let consumerWaits = state.withLock { st -> Bool in
            if let statement { st.statements.append(statement) }
            if let program { st.program = program }
            defer { st.consumerWaits = false }
            return st.consumerWaits
        }
        if consumerWaits { wake.signal() }
    }

    /// The statements from index `i` on that are there now; if there are none yet, waits for
    /// the next. Empty once the parse is over and every statement was taken (after a syntax or
    /// validation error, the statements before it).
    public func statements(from i: Int) -> [Expr] {
        while true {
            let taken: [Expr]? = state.withLock { st in
                // Copied, not sliced: a slice would share the array the parser appends to.
                if i < st.statements.count { return Array(st.statements[i...]) }
                if st.program != nil { return [] }
                st.consumerWaits = true
                return nil
            }
            if let taken { return taken }
            wake.wait()
        }
    }

    /// The whole parse, as Parser.parse returns it (waits for its end).
    public var program: Program {
        while true {
            let done: Program? = state.withLock { st in
                if st.program == nil { st.consumerWaits = true }
                return st.program
            }
            if let done { return done }
            wake.wait()
        }
    }
}

/// The main manifest's parse ended with errors: the caller reports its diagnostics.
public struct ParseFailed: Error {}

extension Compiler {
    /// Compiles the main manifest while it is being parsed: each top-level statement is
    /// registered and evaluated as soon as the feed hands it over, in file order, as `compile`
    /// does with the whole file. Puppet knows all of a file's definitions before it evaluates
    /// any of it, so a class, define, function or type alias not registered yet is first looked
    /// for in the rest of the file, once that is parsed (`registerRestOfMainManifest`).
    ///
    /// Throws ParseFailed when the parse fails. On any other error, compile the finished
    /// program again with `compile` on a fresh compiler: errors that Puppet finds before
    /// evaluating (two nodes of one name) come before evaluation errors there, and that is
    /// the reference for what is reported.
    public func compile(streaming feed: StatementFeed) throws -> Catalog {
        currentFile = feed.file
        streamingFeed = feed
        // A resource takes ~100 bytes of a large generated or real manifest (the generated
        // benchmark's 118: a reserve of a 128th fell short, and the index was grown and
        // rehashed once near the end).
        catalog.reserve(feed.file.bytes.count / 96)
        var next = 0
        while case let batch = feed.statements(from: next), !batch.isEmpty {
            for s in batch {
                if registeredMainStatements == next {
                    register(s, file: feed.file, topLevel: true)
                    registeredMainStatements += 1
                    // (An unknown type here fails this compile; the plain one then reports
                    // it before evaluating anything, as Puppet does.)
                    try checkParameterTypes()
                }
                next += 1
                try evaluateUnusedStatement(s, topScope)
            }
        }
        _ = try registerRestOfMainManifest(atEnd: true)
        try checkNodeNames()
        PhaseClock.mark("parse and evaluate main")
        return try evaluateNodeAndFinish()
    }

    /// While the main manifest is still being parsed: waits for the end of the parse and
    /// registers the definitions of the statements not yet evaluated. False when there is
    /// nothing more to register (not streaming, or already done).
    func registerRestOfMainManifest(atEnd: Bool = false) throws -> Bool {
        guard let feed = streamingFeed, !mainManifestRegistered else { return false }
        let from = registeredMainStatements
        registeredMainStatements = .max
        if !atEnd { waitedForWholeMainManifest = true }
        guard !feed.program.hasErrors else { throw ParseFailed() }
        for s in feed.statements(from: from) { register(s, file: feed.file, topLevel: true) }
        try checkParameterTypes()
        return true
    }

    /// A type alias that may be defined further down the main manifest: not one of the names
    /// Puppet reserves for its own types (the parse rejects an alias of such a name).
    func mayBeLaterAlias(_ name: String) -> Bool {
        streamingFeed != nil && !mainManifestRegistered && !Validator.isReservedTypeName(name)
    }
}
