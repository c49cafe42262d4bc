import XCTest
import PuppetParser
@testable import Translate

/// Errors a user can cause carry Puppet-style messages and the position of the offending
/// expression (the error- fixtures check that we fail where Puppet fails; these check what we say).
final class CompileErrorTests: XCTestCase {
    func compileError(_ code: String, strict: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> CompileError? {
        let source = SourceFile(path: "site.pp", text: code)
        let program = Parser.parse(source)
        XCTAssertFalse(program.hasErrors, program.diagnostics.first?.rendered() ?? "", file: file, line: line)
        let options = Compiler.Options(certname: "node.example.com", facts: Facts.oracle(certname: "node.example.com"), strict: strict)
        do {
            _ = try Compiler(options: options, mainFile: source).compile(program)
            XCTFail("expected a compile error", file: file, line: line)
            return nil
        } catch let e as CompileError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func check(_ code: String, contains text: String, line: Int, strict: Bool = false, file: StaticString = #filePath, at: UInt = #line) {
        guard let e = compileError(code, strict: strict, file: file, line: at) else { return }
        XCTAssertTrue(e.message.contains(text), "message: \(e.message)", file: file, line: at)
        XCTAssertEqual(e.location?.line, line, "\(e)", file: file, line: at)
        XCTAssertTrue(e.description.hasPrefix("site.pp:\(line):"), e.description, file: file, line: at)
    }

    func testUndefinedClass() {
        check("notify { 'a': }\ninclude nosuchclass\n", contains: "Could not find class ::nosuchclass", line: 2)
    }

    func testDuplicateResource() {
        check("file { '/tmp/a': }\nfile { '/tmp/a': ensure => file }\n", contains: "Duplicate declaration: File[/tmp/a] is already declared", line: 2)
    }

    func testMissingRelationshipTarget() {
        check("notify { 'a': }\nNotify['a'] -> Package['ghost']\n", contains: "Could not find resource 'Package[ghost]'", line: 2)
        check("notify { 'a': require => Package['ghost'] }\n", contains: "Could not find resource 'Package[ghost]' in parameter 'require'", line: 1)
        // At the parameter's line, as Puppet reports it; the first parameter set is checked first.
        check("notify { 'a':\n  before  => Service['s'],\n  require => Package['ghost'],\n}\n",
              contains: "Could not find resource 'Service[s]' in parameter 'before'", line: 2)
    }

    func testUnknownVariableUnderStrict() {
        check("$x = 1\nnotify { 'a': message => $nope }\n", contains: "Unknown variable: '$nope'", line: 2, strict: true)
    }

    func testParameterTypeMismatch() {
        check("class web(Integer $port) {}\nclass { 'web': port => 'eighty' }\n", contains: "parameter 'port' expects an Integer value, got String", line: 2)
    }

    func testUnknownParameter() {
        check("define thing($a = 1) {}\nthing { 'x': b => 2 }\n", contains: "has no parameter named 'b'", line: 2)
        check("file { '/tmp/x': colour => red }\n", contains: "no parameter named 'colour'", line: 1)
    }

    func testMissingRequiredParameter() {
        check("class db(String $name2) {}\ninclude db\n", contains: "expects a value for parameter 'name2'", line: 2)
    }

    func testDependencyCyclePrintsTheCycle() {
        guard let e = compileError("notify { 'a': }\nnotify { 'b': }\nNotify['a'] -> Notify['b']\nNotify['b'] -> Notify['a']\n") else { return }
        XCTAssertTrue(e.message.contains("Found 1 dependency cycle"), e.message)
        XCTAssertTrue(e.message.contains("Notify[a] => Notify[b] => Notify[a]") || e.message.contains("Notify[b] => Notify[a] => Notify[b]"), e.message)
    }

    func testReassignment() {
        check("$x = 1\n$x = 2\n", contains: "Cannot reassign variable '$x'", line: 2)
    }

    func testERBIsAnExplicitNotSupportedError() {
        check("file { '/tmp/x': content => template('m/x.erb') }\n", contains: "ERB templates ('template') are not supported yet", line: 1)
    }

    func testUnknownFunctionIsNamed() {
        check("$x = 1\nnotify { 'a': message => frobnicate(1) }\n", contains: "Unknown function: 'frobnicate'", line: 2)
    }
}
