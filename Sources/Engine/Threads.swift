import Graph
#if canImport(Glibc)
import Glibc
#endif

/// Runs a blocking function on its own thread and awaits its result.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
        detachThread { c.resume(returning: body()) }
    }
}
