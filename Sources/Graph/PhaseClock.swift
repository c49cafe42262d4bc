import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opt-in phase timings for profiling the pipeline: with `MGMT_PUPPET_TIMES=1` in the
/// environment, `PhaseClock.mark("parsed")` prints the milliseconds since the previous mark
/// to stderr, with the CPU time all threads used meanwhile (cpu/wall above 1: both cores
/// worked) and the page faults meanwhile (each a fresh page the kernel zeroes: on this kind of
/// VM, a large share of the time). Off (one branch) otherwise, so it can stay in release builds. (Locked: `diff`
/// compiles two sides at once.)
public enum PhaseClock {
    private static let last = Mutex<(wall: Double, cpu: Double, faults: Int)>((now(), now(CLOCK_PROCESS_CPUTIME_ID), faults()))
    public static let enabled: Bool = getenv("MGMT_PUPPET_TIMES") != nil

    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    static func faults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt + usage.ru_majflt
    }

    public static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let name = phase()
        last.withLock { last in
            let (t, cpu, f) = (now(), now(CLOCK_PROCESS_CPUTIME_ID), faults())
            fputs("time: \(name) \(((t - last.wall) * 100).rounded() / 100) ms (cpu \(((cpu - last.cpu) * 100).rounded() / 100) ms, \(f - last.faults) faults) @\(((t - origin) * 100).rounded() / 100)\n", stderr)
            last = (now(), now(CLOCK_PROCESS_CPUTIME_ID), faults())
        }
    }

    /// The timeline's zero: the first mark or event (`main` calls one first).
    private static let origin = now()

    /// A point on the timeline, from any thread: milliseconds since `origin` and a number for
    /// the thread (its pthread_t, shortened). Marks print their time on it after `@`: together
    /// they show which thread waits for which (what `mark`'s per-phase sums cannot).
    public static func event(_ what: StaticString) {
        guard enabled else { return }
        let t = now() - origin
        fputs("event: \((t * 100).rounded() / 100) ms [\(pthread_self() % 100000)] \(what)\n", stderr)
    }
}
