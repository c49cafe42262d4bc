/// A cheap scan run before Yams sees a graph file. Yams composes recursively, so a document
/// nested thousands of levels deep (`[[[[…` or `- - - - …`) overflows the stack, and aliases
/// of aliases expand exponentially when the tree is walked; neither belongs in a graph. The
/// scan over-estimates nesting (block indentation levels, compact `- ` entries, open flow
/// brackets outside quotes and block scalars), so a real graph, a handful of levels deep, passes.
enum NestingGuard {
    static let maxDepth = 200

    static func check(_ text: String) throws {
        var text = text
        try text.withUTF8 { all in
            var scan = Scan()
            var start = 0, lineNo = 0
            // Line by line over the bytes in place (as `split` on "\n" cuts them).
            while start <= all.count {
                var end = start
                while end < all.count && all[end] != UInt8(ascii: "\n") { end += 1 }
                lineNo += 1
                try scan.line(UnsafeBufferPointer(rebasing: all[start..<end]), lineNo)
                start = end + 1
            }
        }
    }

    /// What is open at the end of a line.
    struct Scan {
        var stack: [Int] = []           // indentation of open block levels
        var flow = 0                    // open [ and {
        var quote: UInt8? = nil         // inside '…' or "…" (may span lines in flow context)
        var scalarParent: Int? = nil    // inside a block scalar (| or >) started at this indent

        mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, _ lineNo: Int) throws {
            var i = 0
            while i < bytes.count && bytes[i] == UInt8(ascii: " ") { i += 1 }
            let indent = i
            let blank = i == bytes.count || bytes[i] == UInt8(ascii: "#") || bytes[i] == UInt8(ascii: "\r")
            if let p = scalarParent {
                if blank || indent > p { return }
                scalarParent = nil
            }
            if blank && quote == nil { return }
            if flow == 0 && quote == nil {
                while let last = stack.last, last >= indent { stack.removeLast() }
                stack.append(indent)
            }
            var depth = stack.count
            var previous = UInt8(ascii: " ")
            var lastSignificant: UInt8 = 0
            while i < bytes.count {
                let c = bytes[i]
                if let q = quote {
                    if c == q {
                        if q == UInt8(ascii: "'") && i + 1 < bytes.count && bytes[i + 1] == q { i += 1 } else { quote = nil }
                    } else if c == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") {
                        i += 1
                    }
                } else {
                    switch c {
                    case UInt8(ascii: "'"), UInt8(ascii: "\""):
                        if previous == UInt8(ascii: " ") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":") { quote = c }
                    case UInt8(ascii: "#") where previous == UInt8(ascii: " "):
                        i = bytes.count
                        continue
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flow += 1
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        flow = max(0, flow - 1)
                    case UInt8(ascii: "-") where previous == UInt8(ascii: " ") && (i + 1 == bytes.count || bytes[i + 1] == UInt8(ascii: " ")):
                        depth += 1
                    case UInt8(ascii: "*") where [UInt8(ascii: " "), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ",")].contains(previous)
                        && i + 1 < bytes.count && bytes[i + 1] != UInt8(ascii: " "):
                        if lastSignificant == UInt8(ascii: ":") || lastSignificant == UInt8(ascii: "-") || lastSignificant == UInt8(ascii: "[")
                            || lastSignificant == UInt8(ascii: ",") || lastSignificant == UInt8(ascii: "{") || lastSignificant == 0 {
                            throw GraphError("aliases (*name) are not allowed in graphs", line: lineNo, column: i + 1)
                        }
                    default: break
                    }
                    if c != UInt8(ascii: " ") { lastSignificant = c }
                }
                if depth + flow > maxDepth {
                    throw GraphError("nesting deeper than \(maxDepth) levels", line: lineNo, column: i + 1)
                }
                previous = c
                i += 1
            }
            // `key: |` or `- >-` starts a block scalar: more-indented lines belong to it.
            if quote == nil && flow == 0, let last = bytes.lastIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) {
                var j = last
                while j > 0 && (bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: "+") || (bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9"))) { j -= 1 }
                if (bytes[j] == UInt8(ascii: "|") || bytes[j] == UInt8(ascii: ">")) && (j == 0 || bytes[j - 1] == UInt8(ascii: " ")) {
                    scalarParent = indent
                }
            }
        }
    }
}
