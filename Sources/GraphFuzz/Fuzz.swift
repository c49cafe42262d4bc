import Engine
import Graph

/// The loader `run` uses: decode strictly, then build every resource and check the graph.
/// Any input must give a graph or a positioned error, never a trap; a graph must re-encode.
func load(_ text: String) {
    // The fast reader for block-style YAML must read exactly as Yams does wherever it reads.
    precondition(YAMLDecoder.fastReaderAgreesWithYams(text), "the fast YAML reader and Yams disagree")
    do {
        let g = try YAMLDecoder.decode(text)
        _ = YAMLEncoder.encode(g)
        _ = try EngineGraph(g)
    } catch let e as GraphError {
        _ = e.rendered(path: "fuzz.yaml")
    } catch let e as EngineGraph.Failure {
        for r in e.errors { _ = r.graphError().description }
    } catch {
        fatalError("unexpected error type: \(error)")
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraph(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    load(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
#else
import Foundation

/// Without -sanitize=fuzzer: load each file given (a crash reproducer for fuzzer findings).
@main
struct FuzzReproducer {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            load(String(decoding: data, as: UTF8.self))
            print("\(path): loaded")
        }
    }
}
#endif
