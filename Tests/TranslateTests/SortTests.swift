import Graph
import XCTest

/// `sortNonNegative` (the mapper's edge keys): the order `sort()` gives, whatever the sizes of
/// the list and of its numbers; a list with a negative number is sorted all the same.
final class SortTests: XCTestCase {
    func testSortNonNegativeIsSortedOrder() {
        var rng = SystemRandomNumberGenerator()
        for (count, bound) in [(0, 1), (5, 10), (255, 1 << 20), (256, 3), (1000, 1 << 11), (5000, 1 << 33), (3000, Int.max)] {
            var keys = (0..<count).map { _ in Int.random(in: 0..<bound, using: &rng) }
            if count > 2 { keys[1] = keys[0] }  // a repeat
            let expected = keys.sorted()
            sortNonNegative(&keys)
            XCTAssertEqual(keys, expected, "\(count) keys below \(bound)")
        }
        var mixed = (0..<400).map { $0 % 7 == 0 ? -$0 : $0 * 31 % 997 }
        let expected = mixed.sorted()
        sortNonNegative(&mixed)
        XCTAssertEqual(mixed, expected)
    }
}
