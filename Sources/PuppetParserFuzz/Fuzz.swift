import PuppetParser

#if FUZZING
/// libFuzzer entry: any byte string must parse (or fail with diagnostics) without trapping,
/// and a streaming parse (statements handed over as they are parsed) must give the same result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let file = SourceFile(path: "fuzz.pp", bytes: bytes)
    let program = Parser.parse(file)
    let dump = program.hasErrors ? "" : Dumper.dump(program)
    let rendered = program.diagnostics.map { $0.rendered() }
    var handed = 0
    let streamed = Parser.parse(file, onStatement: { _ in handed += 1 })
    precondition(streamed.diagnostics.map { $0.rendered() } == rendered, "a streaming parse reports otherwise")
    precondition(streamed.hasErrors || Dumper.dump(streamed) == dump, "a streaming parse reads otherwise")
    if !streamed.hasErrors, let body = streamed.body {
        if case let .block(list) = body.kind { precondition(handed == list.count) } else { precondition(handed == 1) }
    }
    return 0
}
#else
import Foundation

/// Without -sanitize=fuzzer: parse each file given (a crash reproducer for fuzzer findings).
@main
struct FuzzReproducer {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let program = Parser.parse(SourceFile(path: path, bytes: [UInt8](data)))
            if !program.hasErrors { _ = Dumper.dump(program) }
            print("\(path): \(program.diagnostics.count) diagnostics")
        }
    }
}
#endif
