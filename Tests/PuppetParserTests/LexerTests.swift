import XCTest
@testable import PuppetParser

/// Token-level behaviour that the parse dumps do not show directly (after the rows of Puppet's
/// spec/unit/pops/parser/lexer2_spec.rb, checked against Puppet 7 where noted).
final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(SourceFile(path: "t.pp", text: text)).tokens.map(\.kind).dropLast()
    }

    func values(_ text: String) -> [String] {
        let r = Lexer.tokenize(SourceFile(path: "t.pp", text: text))
        return r.tokens.compactMap { $0.valueIndex >= 0 ? r.values[Int($0.valueIndex)] : nil }
    }

    func testOperatorsAreLongestMatch() {
        XCTAssertEqual(kinds("<<| |>> <| |> << >> <- <~ -> ~> == != =~ !~ => +> += -= @@ @"),
                       [.llcollect, .rrcollect, .lcollect, .rcollect, .lshift, .rshift, .outEdge, .outEdgeSub,
                        .inEdge, .inEdgeSub, .eq, .ne, .match, .noMatch, .farrow, .parrow, .plusAssign,
                        .minusAssign, .atat, .at])
    }

    func testNamesWordsReferencesAndKeywords() {
        XCTAssertEqual(kinds("foo foo::bar ::foo foo-bar _x File Apache::Vhost ::File if unless inherits private"),
                       [.name, .name, .name, .word, .word, .ref, .ref, .ref, .kwIf, .kwUnless, .kwInherits, .kwPrivate])
    }

    func testSlashIsRegexOnlyWhereAValueCannotEnd() {
        XCTAssertEqual(kinds("$a = /x/"), [.variable, .assign, .regex])
        XCTAssertEqual(kinds("$a = 4 / 2 / 1"), [.variable, .assign, .number, .div, .number, .div, .number])
        XCTAssertEqual(kinds("$a = $b / $c"), [.variable, .assign, .variable, .div, .variable])
        XCTAssertEqual(kinds("case $x { /a\\/b/: {} }"), [.kwCase, .variable, .lbrace, .regex, .colon, .lbrace, .rbrace, .rbrace])
        XCTAssertEqual(values("$a = /a\\/b/"), ["a", "a\\/b"])
    }

    func testBracketAfterSpaceIsAListStart() {
        let toks = Lexer.tokenize(SourceFile(path: "t.pp", text: "$a[1] $a [1]")).tokens
        XCTAssertFalse(toks[1].spaceBefore)
        XCTAssertTrue(toks[5].spaceBefore)
    }

    func testNumbers() {
        XCTAssertEqual(kinds("0 7 0777 0x1F 1.5 1e10 1.5e-3"), Array(repeating: .number, count: 7))
        XCTAssertEqual(kinds("12abc"), [.error])
        let p = Parser.parse(path: "n.pp", text: "$a = 0789\n")
        XCTAssertTrue(p.diagnostics.first?.message.contains("octal") ?? false)
    }

    func testStringEscapes() {
        XCTAssertEqual(values(#"'a\'b\\c\nd'"#), [#"a'b\c\nd"#])
        XCTAssertEqual(values(#""t\tn\ns\sq\"d\$u\u00e9\u{1F600}x\qy""#), ["t\tn\ns q\"d$u\u{e9}\u{1F600}x\\qy"])
        XCTAssertEqual(values("\"a\\\nb\""), ["ab"])  // line continuation
    }

    func testInterpolationTokens() {
        XCTAssertEqual(kinds(#""a $b c ${d} e ${f + 1}g""#),
                       [.dqPre, .variable, .dqMid, .variable, .dqMid, .name, .plus, .number, .dqPost])
        XCTAssertEqual(values(#""${x[0]}""#), ["", "x", ""])
        XCTAssertEqual(kinds(#""${ "${x}" }""#), [.dqPre, .dqPre, .variable, .dqPost, .dqPost])
    }

    func testHeredocBodyIsSkippedAfterTheLine() {
        let text = "$a = @(END) + 1\n  text $x\n  | END\n$b = 2\n"
        XCTAssertEqual(kinds(text), [.variable, .assign, .heredoc, .string, .plus, .number, .variable, .assign, .number])
        XCTAssertEqual(values(text)[2], "text $x\n")  // after "a" and the heredoc's (empty) syntax
    }

    func testUnclosedStringIsReportedOnceAfterItsQuote() {
        let r = Lexer.tokenize(SourceFile(path: "t.pp", text: "$a = 'abc\n$b = 1\n"))
        XCTAssertEqual(r.diagnostics.items.count, 1)
        XCTAssertEqual(r.diagnostics.items[0].location.column, 7)
    }

    func testColumnsCountCharactersNotBytes() {
        let f = SourceFile(path: "u.pp", text: "$a = 'é€😀'; $b = ]\n")
        let p = Parser.parse(f)
        // The `]` is the 18th character (and the 25th byte); Puppet counts characters too
        // (fixtures/diagnostics/utf8_wide_error_col and error_after_emoji).
        XCTAssertEqual(p.diagnostics.first?.location.column, 18)
        XCTAssertEqual(f.lineText(1), "$a = 'é€😀'; $b = ]")
    }

    func testCRLFLines() {
        let f = SourceFile(path: "c.pp", text: "$a = 1\r\n$b = )\r\n")
        let p = Parser.parse(f)
        XCTAssertEqual(p.diagnostics.first.map { "\($0.location.line):\($0.location.column)" }, "2:6")
        XCTAssertEqual(f.lineText(2), "$b = )")
    }
}
