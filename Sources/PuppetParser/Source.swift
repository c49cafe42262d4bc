import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A manifest's bytes plus a table of line starts, so that the compact byte offsets stored in
/// tokens and AST nodes can be turned into line and column only when a human needs them.
public final class SourceFile: @unchecked Sendable {
    public let path: String
    public let bytes: [UInt8]

    /// Byte offset of the first byte of every line; `lineStarts[0] == 0`. Made the first time
    /// it is asked for: only messages and a catalog's line numbers need it, and a large
    /// manifest's index (a memchr per line, ~0.4 ms a megabyte) used to be made before its
    /// parse could begin (translate never asks). Threads may ask at once (the catalog's JSON
    /// writers): made once, under a lock; read without one afterwards.
    public var lineStarts: [Int32] {
        if lineIndexMade.load(ordering: .acquiring) { return lineIndex }
        return lineIndexLock.withLock { _ in
            if !lineIndexMade.load(ordering: .acquiring) {
                lineIndex = SourceFile.lineStarts(of: bytes)
                lineIndexMade.store(true, ordering: .releasing)
            }
            return lineIndex
        }
    }
    private let lineIndexMade = Atomic<Bool>(false)
    private let lineIndexLock = Mutex<Void>(())
    /// Written once, under the lock, before `lineIndexMade` says so; read only after that.
    private var lineIndex: [Int32] = []

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// memchr from newline to newline (a byte loop over a megabyte costs a few milliseconds).
    static func lineStarts(of bytes: [UInt8]) -> [Int32] {
        var starts: [Int32] = [0]
        starts.reserveCapacity(bytes.count / 24 + 1)
        bytes.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return }
            var at = 0
            while at < buf.count, let hit = memchr(base + at, Int32(UInt8(ascii: "\n")), buf.count - at) {
                let i = base.distance(to: UnsafeRawPointer(hit))
                starts.append(Int32(i + 1))
                at = i + 1
            }
        }
        return starts
    }

    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// 1-based line of a byte offset (what a catalog records for each resource: no column).
    public func line(of offset: Int32) -> Int {
        let off = max(0, min(Int(offset), bytes.count))
        let starts = lineStarts
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(starts[mid]) <= off { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// 1-based line and column of a byte offset. Columns count Unicode scalars, not bytes, as
    /// Puppet (which works on Ruby character strings) does.
    public func location(of offset: Int32) -> SourceLocation {
        let off = max(0, min(Int(offset), bytes.count))
        let line = line(of: offset)
        let start = Int(lineStarts[line - 1])
        var column = 1
        var i = start
        while i < off {
            // Count only the lead bytes of UTF-8 sequences.
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(path: path, line: line, column: column, offset: off)
    }

    /// The text of the (1-based) line, without its line break.
    public func lineText(_ line: Int) -> String {
        let lineStarts = self.lineStarts
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = Int(lineStarts[line - 1])
        var end = line < lineStarts.count ? Int(lineStarts[line]) - 1 : bytes.count
        if end > start, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The (1-based) line and a caret under the (1-based, in characters) column, for error
    /// messages. Tabs stay in the caret line so that the caret lines up in a terminal.
    public func excerpt(line: Int, column: Int) -> String {
        let text = lineText(line)
        var pad = ""
        for (i, ch) in text.unicodeScalars.enumerated() where i < column - 1 {
            pad.append(ch == "\t" ? "\t" : " ")
        }
        return "\(text)\n\(pad)^"
    }

    /// The source text of a range, decoded leniently.
    public func text(_ range: SourceRange) -> String {
        let s = max(0, min(Int(range.start), bytes.count))
        let e = max(s, min(Int(range.end), bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// A half-open byte range `[start, end)` in one `SourceFile`. Eight bytes, like go/token's Pos pairs.
public struct SourceRange: Hashable, Sendable {
    public var start: Int32
    public var end: Int32
    public init(_ start: Int32, _ end: Int32) {
        self.start = start
        self.end = end
    }
    public static let zero = SourceRange(0, 0)
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }
}

/// A resolved position, for messages and JSON output.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var offset: Int
    public var description: String { "\(path):\(line):\(column)" }
}
