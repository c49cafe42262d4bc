import CSystem
import Glibc
import XCTest

/// csys_thread_attr_elsewhere starts a thread on another CPU than its creator's, and
/// csys_thread_affinity_restore gives the thread back every CPU (csystem.h says why).
final class ThreadSpreadTests: XCTestCase {
    final class Seen: @unchecked Sendable {
        var cpu: Int32 = -1
        var cpusAfterRestore: Int32 = -1
    }

    func testNewThreadStartsElsewhereAndGetsEveryCPUBack() throws {
        guard csys_spread_threads_init() == 1 else { throw XCTSkip("one CPU: nothing to spread over") }
        let all = csys_thread_cpu_count()
        // The creator stays on one CPU for the test, so that "its CPU" is one.
        let here = csys_pin_to_current_cpu()
        XCTAssertGreaterThanOrEqual(here, 0)
        defer { _ = csys_thread_affinity_restore() }

        let seen = Seen()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        XCTAssertEqual(csys_thread_attr_elsewhere(&attr), 1)
        var thread = pthread_t()
        XCTAssertEqual(pthread_create(&thread, &attr, { raw in
            let seen = Unmanaged<Seen>.fromOpaque(raw!).takeRetainedValue()
            seen.cpu = csys_current_cpu()
            _ = csys_thread_affinity_restore()
            seen.cpusAfterRestore = csys_thread_cpu_count()
            return nil
        }, Unmanaged.passRetained(seen).toOpaque()), 0)
        pthread_attr_destroy(&attr)
        pthread_join(thread, nil)
        XCTAssertGreaterThanOrEqual(seen.cpu, 0)
        XCTAssertNotEqual(seen.cpu, here, "the new thread ran on its creator's CPU")
        XCTAssertEqual(seen.cpusAfterRestore, all)
    }
}
