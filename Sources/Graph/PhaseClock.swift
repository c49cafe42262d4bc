import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opt-in phase timings for profiling the pipeline: with `MGMT_PUPPET_TIMES=1` in the
/// environment, `PhaseClock.mark("parsed")` prints the milliseconds since the previous mark
/// to stderr. Off (one branch) otherwise, so it can stay in release builds. (Locked: `diff`
/// compiles two sides at once.)
public enum PhaseClock {
    private static let last = Mutex<Double>(now())
    public static let enabled: Bool = getenv("MGMT_PUPPET_TIMES") != nil

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    public static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let name = phase()
        last.withLock { last in
            let t = now()
            fputs("time: \(name) \(((t - last) * 100).rounded() / 100) ms\n", stderr)
            last = now()
        }
    }
}
