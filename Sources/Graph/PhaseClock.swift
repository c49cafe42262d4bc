import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opt-in phase timings for profiling the pipeline: with `MGMT_PUPPET_TIMES=1` in the
/// environment, `PhaseClock.mark("parsed")` prints the milliseconds since the previous mark
/// to stderr, with the CPU time all threads used meanwhile (cpu/wall above 1: both cores
/// worked). Off (one branch) otherwise, so it can stay in release builds. (Locked: `diff`
/// compiles two sides at once.)
public enum PhaseClock {
    private static let last = Mutex<(wall: Double, cpu: Double)>((now(), now(CLOCK_PROCESS_CPUTIME_ID)))
    public static let enabled: Bool = getenv("MGMT_PUPPET_TIMES") != nil

    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    public static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let name = phase()
        last.withLock { last in
            let (t, cpu) = (now(), now(CLOCK_PROCESS_CPUTIME_ID))
            fputs("time: \(name) \(((t - last.wall) * 100).rounded() / 100) ms (cpu \(((cpu - last.cpu) * 100).rounded() / 100) ms)\n", stderr)
            last = (now(), now(CLOCK_PROCESS_CPUTIME_ID))
        }
    }
}
