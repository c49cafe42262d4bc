import XCTest
import PuppetParser
@testable import Translate

/// Timestamp and Timespan beyond what the golden fixtures show: Puppet's Timespan string
/// formats (checked against Puppet 7 when written), totals in span formats, and values too
/// large for 64-bit nanoseconds, which are errors, never a trap.
final class TimeTests: XCTestCase {
    func message(_ expression: String) throws -> Value? {
        let catalog = try compileForTest("notify { 'm': message => \(expression) }")
        return catalog.resource(ref: "Notify[m]")?.parameters["message"]
    }

    func testTimespanStringsFollowPuppetsFormatsInOrder() throws {
        XCTAssertEqual(try message("String(Timespan('02:03.5'))"), .string("0-00:02:03.5"), "M:S.F")
        XCTAssertEqual(try message("String(Timespan('90'))"), .string("0-00:01:30.0"), "S")
        XCTAssertEqual(try message("String(Timespan('1.5'))"), .string("0-00:00:01.5"), "S.F")
        XCTAssertEqual(try message("String(Timespan('1-02:03'))"), .string("1-02:03:00.0"), "D-H:M")
        XCTAssertEqual(try message("String(Timespan('-1-00:00:00'))"), .string("-1-00:00:00.0"))
        XCTAssertThrowsError(try message("String(Timespan('02:03'))")) { error in
            XCTAssertTrue("\(error)".contains("Unable to parse '02:03' using any of the formats %D-%H:%M:%S.%-N"), "\(error)")
        }
    }

    func testTheLargestUnitOfASpanFormatIsATotal() throws {
        XCTAssertEqual(try message("Timespan({hours => 50}).strftime('%H:%M')"), .string("50:00"))
        XCTAssertEqual(try message("Timespan(90).strftime('%S')"), .string("90"))
        XCTAssertEqual(try message("Timespan(90061.5).strftime('%D-%H:%M:%S.%L')"), .string("1-01:01:01.500"))
        XCTAssertEqual(try message("Timespan(0.5).strftime('%S.%-L %-N')"), .string("00.5 5"))
        XCTAssertEqual(try message("String(Timespan(2) / 3)"), .string("0-00:00:00.666666666"), "a quotient is floored")
    }

    func testValuesBeyondSixtyFourBitNanosecondsAreErrorsNotTraps() {
        for expression in ["String(Timestamp('2300-01-01'))", "String(Timestamp(1e300))", "String(Timestamp(10000000000))",
                           "String(Timespan({days => 106752}))", "String(Timespan('200000-00:00:00'))",
                           "String(Timespan('1-00:00:00') * 1e12)", "String(Timestamp(0) + 1e10)",
                           "String(Timestamp('2262-04-11T23:47:16 UTC') + Timespan(10))"] {
            XCTAssertThrowsError(try message(expression), expression) { error in
                XCTAssertTrue("\(error)".contains("out of range"), "\(expression): \(error)")
            }
        }
        XCTAssertEqual(try message("String(Timestamp(-9223372036))"), .string("1677-09-21T00:12:44.000000000 UTC"))
    }
}
