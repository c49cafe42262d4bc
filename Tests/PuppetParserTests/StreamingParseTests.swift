import Foundation
import XCTest
@testable import PuppetParser

/// A streaming parse (Parser.parse with `onStatement`, which lexes a batch at a time and
/// validates each top-level statement when the next is known) returns what the plain parse
/// returns, and hands over exactly the top-level statements, in order, when there is no error.
final class StreamingParseTests: XCTestCase {
    /// Both parses of one text; fails the test where they differ.
    func checkSame(_ file: SourceFile, file testFile: StaticString = #filePath, line: UInt = #line) {
        let plain = Parser.parse(file)
        var handed: [Expr] = []
        let streamed = Parser.parse(file, onStatement: { handed.append($0) })
        XCTAssertEqual(streamed.diagnostics.map { $0.rendered() }, plain.diagnostics.map { $0.rendered() }, file.path, file: testFile, line: line)
        XCTAssertEqual(Dumper.dump(streamed), Dumper.dump(plain), file.path, file: testFile, line: line)
        let statements: [Expr]
        switch streamed.body?.kind {
        case nil: statements = []
        case let .block(list)?: statements = list
        default: statements = [streamed.body!]
        }
        if streamed.hasErrors {
            // What came before the first error, at most.
            XCTAssertLessThanOrEqual(handed.count, statements.count, file.path, file: testFile, line: line)
        } else {
            XCTAssertEqual(handed.count, statements.count, file.path, file: testFile, line: line)
            for (a, b) in zip(handed, statements) { XCTAssert(a === b, file.path, file: testFile, line: line) }
        }
    }

    func testFixturesAndCorpusParseTheSameStreamed() throws {
        var count = 0
        for dir in [Fixtures.url("fixtures/puppet"), Fixtures.corpus] {
            for url in Fixtures.files(under: dir, suffix: ".pp") {
                checkSame(try Fixtures.source(url))
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 1000)
    }

    /// Files cut at every few bytes: the lexer's batches end in every kind of place.
    func testTruncatedFilesParseTheSameStreamed() throws {
        let text = try Data(contentsOf: Fixtures.url("fixtures/puppet/class-declare-forms.pp"))
        for n in stride(from: 0, through: text.count, by: 7) {
            checkSame(SourceFile(path: "cut.pp", bytes: [UInt8](text.prefix(n))))
        }
    }

    /// Value-producing statements are errors except the last; a bare name before a hash reads as
    /// a resource without a title. Checked as each next statement arrives, as for the whole body.
    func testStatementsWithoutEffectAreFoundStreamed() {
        for text in ["1\n2\nnotify { 'x': }\n", "notify { 'x': }\n$a = 1\n3\n", "file\n{ 'a' => 1 }\n", "$x = 1\n$x\n",
                     "notify { 'x': }\n@@\n", "'a', 'b'\n", "class a { } class a { }\n", "type File = Integer\n"] {
            checkSame(SourceFile(path: "t.pp", text: text))
        }
    }

    /// Many statements: more tokens than one lexer batch, and more than one batch per statement.
    func testLongFilesParseTheSameStreamed() {
        var text = ""
        for i in 0..<3000 { text += "notify { 'n\(i)': message => \"m ${i} \(i)\" }\n" }
        text += "$v = [" + (0..<2000).map(String.init).joined(separator: ", ") + "]\n"
        checkSame(SourceFile(path: "long.pp", text: text))
        checkSame(SourceFile(path: "long-error.pp", text: text + "notify { 'late': message => }\n"))
    }

    /// The parser keeps only a window of tokens (Lexer.window), except while it backtracks
    /// (a list's unbraced hash, `[a => 1, x]`, reads `x` before it knows `x` is no key): a long
    /// file of such lists, some backtracking over more than a lexer batch, parses to what each
    /// of its statements parses to alone, and an error at its end is placed right.
    func testTokenWindowKeepsWhatBacktrackingNeeds() {
        let long = "[" + (0..<(2 * Parser.lexBatch)).map(String.init).joined(separator: ", ") + "]"
        let statements = (0..<300).map { i -> String in
            let wide = (0..<(i % 7) * 40).map { "k\($0) => [\($0), 'v']," }.joined(separator: " ")
            let last = i % 50 == 0 ? long : "'x'"
            return "$h\(i) = { a => 1, \(wide) 'b' => { c => [1, 2,], d => 3, }, }\n$l\(i) = [a => 1, b => 2, \(last)]\n"
        }
        let text = statements.joined()
        XCTAssertGreaterThan(Lexer.tokenize(SourceFile(path: "w.pp", text: text)).tokens.count, 20 * Lexer.window)
        let whole = Parser.parse(SourceFile(path: "w.pp", text: text))
        XCTAssertEqual(whole.diagnostics.map { $0.rendered() }, [])
        guard case let .block(parsed)? = whole.body?.kind else { return XCTFail("not a block") }
        XCTAssertEqual(parsed.count, 2 * statements.count)
        for (i, s) in statements.enumerated() {
            guard case let .block(alone)? = Parser.parse(SourceFile(path: "s.pp", text: s)).body?.kind else { return XCTFail(s) }
            XCTAssertEqual(parsed[2 * i ..< 2 * i + 2].map(Dumper.dump), alone.map(Dumper.dump))
        }
        let late = "$late = { a => }\n"
        let alone = Parser.parse(SourceFile(path: "s.pp", text: late)).diagnostics
        let bad = Parser.parse(SourceFile(path: "w.pp", text: text + late)).diagnostics
        XCTAssertEqual(alone.count, 1)
        XCTAssertEqual(bad.map(\.message), alone.map(\.message))
        XCTAssertEqual(bad.map(\.location.line), [2 * statements.count + 1])
        XCTAssertEqual(bad.map(\.location.column), alone.map(\.location.column))
    }
}
