/// One problem found in a manifest, at a byte offset of its file.
public struct Diagnostic: Error, Sendable {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var offset: Int32
    public var message: String
    public let file: SourceFile

    public init(_ severity: Severity = .error, at offset: Int32, in file: SourceFile, _ message: String) {
        self.severity = severity
        self.offset = offset
        self.file = file
        self.message = message
    }

    public var location: SourceLocation { file.location(of: offset) }

    /// `path:line:col: error: message`, then the source line and a caret under the column.
    public func rendered() -> String {
        let loc = location
        return "\(loc): \(severity.rawValue): \(message)\n" + file.excerpt(line: loc.line, column: loc.column)
    }
}

/// Diagnostics collected while reading one file; sorted by position and de-duplicated per line,
/// like go/scanner's ErrorList.
public struct DiagnosticList: Sendable {
    public private(set) var items: [Diagnostic] = []
    /// Counted as they are added: a streaming parse asks after every statement.
    private var errorCount = 0
    public init() {}

    public mutating func add(_ d: Diagnostic) {
        items.append(d)
        if d.severity == .error { errorCount += 1 }
    }

    public var hasErrors: Bool { errorCount > 0 }

    /// Sorted by offset; only the first error of each line is kept, since later ones on the same
    /// line are usually consequences of the first.
    public func sorted() -> [Diagnostic] {
        var seenLines = Set<Int>()
        var out: [Diagnostic] = []
        for d in items.enumerated().sorted(by: { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }).map(\.element) {
            let line = d.location.line
            if d.severity == .error {
                if seenLines.contains(line) { continue }
                seenLines.insert(line)
            }
            out.append(d)
        }
        return out
    }
}
