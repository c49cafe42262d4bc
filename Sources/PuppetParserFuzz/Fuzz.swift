import PuppetParser

#if FUZZING
/// libFuzzer entry: any byte string must parse (or fail with diagnostics) without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let program = Parser.parse(SourceFile(path: "fuzz.pp", bytes: bytes))
    if !program.hasErrors { _ = Dumper.dump(program) }
    for d in program.diagnostics { _ = d.rendered() }
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
