#if canImport(Glibc)
import Glibc
#endif
import PuppetParser

/// Puppet's Timestamp (a point in time, UTC) and Timespan (a duration), both as nanoseconds:
/// how they are made from strings and numbers, printed, added and subtracted, and formatted
/// by `strftime` — the forms Puppet 7 prints, checked against the oracle
/// (fixtures/puppet/func-strftime*.pp).
enum PuppetTime {
    static let nanosPerSecond = 1_000_000_000

    /// Nanoseconds fit in 64 bits (years 1678 to 2262): beyond that an error, never a trap.
    struct OutOfRange: Error {}

    static func product(_ a: Int, _ b: Int) throws -> Int {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        if o { throw OutOfRange() }
        return v
    }

    static func sum(_ a: Int, _ b: Int) throws -> Int {
        let (v, o) = a.addingReportingOverflow(b)
        if o { throw OutOfRange() }
        return v
    }

    static func difference(_ a: Int, _ b: Int) throws -> Int {
        let (v, o) = a.subtractingReportingOverflow(b)
        if o { throw OutOfRange() }
        return v
    }

    /// `a + b` or `a - b`.
    static func apply(_ op: String, _ a: Int, _ b: Int) throws -> Int { op == "+" ? try sum(a, b) : try difference(a, b) }

    /// A Double as an Int: `rounding` the fraction away, an error when out of range or NaN.
    static func integer(_ d: Double, _ rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) throws -> Int {
        let r = d.rounded(rounding)
        guard r.isFinite, r >= -9.2e18, r <= 9.2e18 else { throw OutOfRange() }
        return Int(r)
    }

    static func nanos(seconds: Double) throws -> Int { try integer(seconds * Double(nanosPerSecond)) }

    /// Floor division into whole seconds and the nanoseconds left (no overflow near Int.min).
    static func split(_ t: Int) -> (seconds: Int, nanos: Int) {
        let (q, r) = t.quotientAndRemainder(dividingBy: nanosPerSecond)
        return r < 0 ? (q - 1, r + nanosPerSecond) : (q, r)
    }

    // MARK: Timestamps

    /// Puppet's Timestamp formats (as its error lists them).
    static let timestampFormats = "%FT%T.%N %Z, %FT%T %Z, %F %T.%N %Z, %F %T %Z, %F %Z, %FT%T.%N, %FT%T, %F %T.%N, %F %T, %F"
    static let timespanFormats = "%D-%H:%M:%S.%-N, %H:%M:%S.%-N, %M:%S.%-N, %S.%-N, %D-%H:%M:%S, %H:%M:%S, %D-%H:%M, %S"

    /// `2024-02-29T13:45:10.000 UTC`, `…Z`, `…+01:00`, `2024-02-29T13:45:10`, `2024-02-29`;
    /// nil when it is none of them, OutOfRange beyond what 64-bit nanoseconds hold.
    static func parseTimestamp(_ s: String) throws -> Int? {
        var b = Array(s.utf8)[...]
        func digits(_ n: Int) -> Int? {
            guard b.count >= n, b.prefix(n).allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let v = b.prefix(n).reduce(0) { $0 * 10 + Int($1 - 48) }
            b = b.dropFirst(n)
            return v
        }
        func take(_ c: Character) -> Bool {
            guard b.first == c.asciiValue else { return false }
            b = b.dropFirst()
            return true
        }
        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = 0, nanos = 0
        if take("T") || take(" ") {
            // Puppet's formats have seconds whenever they have a time (%T).
            guard let h = digits(2), take(":"), let m = digits(2), h < 24, m < 60, take(":") else { return nil }
            guard let sec = digits(2), sec < 61 else { return nil }
            seconds = h * 3600 + m * 60 + sec
            if take(".") {
                var scale = nanosPerSecond / 10, any = false
                while let d = b.first, d >= 48, d <= 57 {
                    nanos += Int(d - 48) * scale
                    scale /= 10
                    b = b.dropFirst()
                    any = true
                }
                if !any { return nil }
            }
        }
        while b.first == UInt8(ascii: " ") { b = b.dropFirst() }
        var offset = 0
        let zone = String(decoding: b, as: UTF8.self)
        switch zone {
        case "", "Z", "UTC", "GMT": break
        default:
            guard let sign = b.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            b = b.dropFirst()
            guard let h = digits(2) else { return nil }
            _ = take(":")
            guard let m = digits(2), b.isEmpty else { return nil }
            offset = (h * 3600 + m * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        return try sum(product(sum(product(daysFromCivil(year, month, day), 86400), seconds - offset), nanosPerSecond), nanos)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    struct Civil { var year, month, day, hour, minute, second, nanos, weekday, yearDay: Int }

    static func civil(_ ts: Int) -> Civil {
        let (secs, nanos) = split(ts)
        let (q, r) = secs.quotientAndRemainder(dividingBy: 86400)
        let (days, rest) = r < 0 ? (q - 1, r + 86400) : (q, r)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let yearDay = days - daysFromCivil(year, 1, 1) + 1
        let weekday = ((days % 7) + 7 + 4) % 7 // 1970-01-01 was a Thursday
        return Civil(year: year, month: month, day: day, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60,
                     nanos: nanos, weekday: weekday, yearDay: yearDay)
    }

    /// `2024-02-29T13:45:10.000000000 UTC`
    static func timestampString(_ ts: Int) -> String {
        (try? strftime(timestamp: ts, "%Y-%m-%dT%H:%M:%S.%N %Z")) ?? ""
    }

    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    struct FormatError: Error { let message: String }

    static func pad(_ n: Int, _ width: Int, _ flag: Character?) -> String {
        let s = String(n)
        if flag == "-" || s.count >= width { return s }
        return String(repeating: flag == "_" ? " " : "0", count: width - s.count) + s
    }

    /// Ruby's Time#strftime, in UTC, for the common conversions; anything else is an error.
    static func strftime(timestamp ts: Int, _ format: String) throws -> String {
        let c = civil(ts)
        var out = ""
        var it = format.makeIterator()
        while let ch = it.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard var conv = it.next() else { out.append("%"); break }
            var flag: Character?
            if conv == "-" || conv == "_" || conv == "0" || conv == "^" {
                flag = conv
                guard let n = it.next() else { break }
                conv = n
            }
            let upper = flag == "^"
            func name(_ s: String) -> String { upper ? s.uppercased() : s }
            switch conv {
            case "Y": out += String(c.year)
            case "C": out += pad(c.year / 100, 2, flag)
            case "y": out += pad(c.year % 100, 2, flag)
            case "m": out += pad(c.month, 2, flag)
            case "d": out += pad(c.day, 2, flag)
            case "e": out += pad(c.day, 2, flag ?? "_")
            case "j": out += pad(c.yearDay, 3, flag)
            case "H": out += pad(c.hour, 2, flag)
            case "k": out += pad(c.hour, 2, flag ?? "_")
            case "I": out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2, flag)
            case "l": out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2, flag ?? "_")
            case "M": out += pad(c.minute, 2, flag)
            case "S": out += pad(c.second, 2, flag)
            case "L": out += pad(c.nanos / 1_000_000, 3, "0")
            case "N": out += pad(c.nanos, 9, "0")
            case "p": out += c.hour < 12 ? "AM" : "PM"
            case "P": out += c.hour < 12 ? "am" : "pm"
            case "A": out += name(dayNames[c.weekday])
            case "a": out += name(String(dayNames[c.weekday].prefix(3)))
            case "B": out += name(monthNames[c.month - 1])
            case "b", "h": out += name(String(monthNames[c.month - 1].prefix(3)))
            case "u": out += String(c.weekday == 0 ? 7 : c.weekday)
            case "w": out += String(c.weekday)
            case "s": out += String(split(ts).seconds)
            case "z": out += "+0000"
            case "Z": out += "UTC"
            case "F": out += try strftime(timestamp: ts, "%Y-%m-%d")
            case "T": out += try strftime(timestamp: ts, "%H:%M:%S")
            case "D": out += try strftime(timestamp: ts, "%m/%d/%y")
            case "R": out += try strftime(timestamp: ts, "%H:%M")
            case "%": out += "%"
            case "n": out += "\n"
            case "t": out += "\t"
            default:
                throw FormatError(message: "strftime(): the conversion '%\(conv)' for a Timestamp is not supported yet")
            }
        }
        return out
    }

    // MARK: Timespans

    /// Puppet's Timespan string formats, tried in its order: `D-H:M:S.F`, `H:M:S.F`, `M:S.F`,
    /// `S.F`, `D-H:M:S`, `H:M:S`, `D-H:M`, `S` (a leading `-` negates). So `02:03.5` is two
    /// minutes, `90` is ninety seconds, and `02:03` is no timespan at all.
    static func parseTimespan(_ s: String) throws -> Int? {
        var t = Substring(s)
        var negative = false
        if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
        var days: Int?
        if let dash = t.firstIndex(of: "-") {
            guard let d = Int(t[..<dash]), d >= 0 else { return nil }
            days = d
            t = t[t.index(after: dash)...]
        }
        var fraction: Int?
        if let dot = t.firstIndex(of: ".") {
            let digits = t[t.index(after: dot)...]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let f = Int(digits) else { return nil }
            fraction = f * [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000][9 - digits.count]
            t = t[..<dot]
        }
        let fields = t.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !fields.isEmpty, fields.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let f = fields.map { $0! }
        // The (days, hours, minutes, seconds) each format reads.
        let parts: (Int, Int, Int, Int)
        switch (days, f.count, fraction != nil) {
        case let (d?, 3, _): parts = (d, f[0], f[1], f[2])
        case (nil, 3, _): parts = (0, f[0], f[1], f[2])
        case (nil, 2, true): parts = (0, 0, f[0], f[1])
        case (nil, 1, _): parts = (0, 0, 0, f[0])
        case let (d?, 2, false): parts = (d, f[0], f[1], 0)
        default: return nil
        }
        let secs = try sum(sum(product(parts.0, 86400), product(parts.1, 3600)), sum(product(parts.2, 60), parts.3))
        let total = try sum(product(secs, nanosPerSecond), fraction ?? 0)
        return negative ? -total : total
    }

    /// Puppet's default form, `D-HH:MM:SS.F`: the fraction's digits without trailing zeros
    /// (as Puppet 7 prints it: 1 ms is `.1`, half a second `.5`, none `.0`).
    static func timespanString(_ span: Int) -> String {
        let m = span.magnitude
        let secs = Int(m / UInt(nanosPerSecond)), nanos = Int(m % UInt(nanosPerSecond))
        // (magnitude: no trap for the most negative span)
        var frac = String(nanos)
        while frac.count > 1 && frac.hasSuffix("0") { frac.removeLast() }
        return (span < 0 ? "-" : "") + "\(secs / 86400)-" + pad(secs / 3600 % 24, 2, nil) + ":" + pad(secs / 60 % 60, 2, nil) + ":" +
            pad(secs % 60, 2, nil) + "." + frac
    }

    /// Puppet's Timespan#format: %D days, %H hours, %M minutes, %S seconds, %L milliseconds,
    /// %N nanoseconds; the largest unit the format names counts the whole span (`%H:%M` of 50
    /// hours is `50:00`), the others what is left within it. `-` drops padding (and, for %L and
    /// %N, trailing zeros); %L and %N are otherwise left-aligned in their width, as Puppet 7
    /// prints them.
    static func strftime(timespan span: Int, _ format: String) throws -> String {
        // The conversions, read once to find the largest unit used.
        var specs: [(flag: Character?, conv: Character)?] = [] // nil: a literal character
        var literals: [Character] = []
        var it = format.makeIterator()
        while let ch = it.next() {
            guard ch == "%" else { specs.append(nil); literals.append(ch); continue }
            guard var conv = it.next() else { throw FormatError(message: "strftime(): a format ends in '%'") }
            var flag: Character?
            if conv == "-" || conv == "_" || conv == "0" {
                flag = conv
                guard let n = it.next() else { throw FormatError(message: "strftime(): a format ends in '%\(conv)'") }
                conv = n
            }
            guard "DHMSLN%".contains(conv) else {
                throw FormatError(message: "strftime(): the conversion '%\(conv)' for a Timespan is not supported yet")
            }
            specs.append((flag, conv))
            literals.append(" ")
        }
        let order: [Character] = ["D", "H", "M", "S", "L", "N"]
        let largest = order.first { c in specs.contains { $0?.conv == c } }
        let m = span.magnitude
        let total = Int(m % UInt(Int.max))  // the magnitude, as an Int
        let perUnit: [Character: Int] = ["D": 86400 * nanosPerSecond, "H": 3600 * nanosPerSecond, "M": 60 * nanosPerSecond,
                                         "S": nanosPerSecond, "L": 1_000_000, "N": 1]
        let within: [Character: Int] = ["D": Int.max, "H": 24, "M": 60, "S": 60, "L": 1000, "N": 1_000_000_000]
        func value(_ c: Character) -> Int {
            let n = total / perUnit[c]!
            return c == largest ? n : n % within[c]!
        }
        var out = span < 0 ? "-" : ""
        for (i, spec) in specs.enumerated() {
            guard let (flag, conv) = spec else { out.append(literals[i]); continue }
            switch conv {
            case "%": out += "%"
            case "D": out += String(value("D"))
            case "H", "M", "S": out += pad(value(conv), 2, flag)
            default: // L, N
                let n = value(conv), width = conv == "L" ? 3 : 9
                if flag == "-" {
                    var digits = pad(n, width, "0")
                    while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
                    out += digits
                } else {
                    let s = String(n)
                    out += s.count >= width || conv == largest ? s : s + String(repeating: " ", count: width - s.count)
                }
            }
        }
        return out
    }
}

extension Compiler {
    func newTimestamp(_ args: [Value], _ e: Expr) throws -> Value { try newTime("Timestamp", args, e) }
    func newTimespan(_ args: [Value], _ e: Expr) throws -> Value { try newTime("Timespan", args, e) }

    /// `Timestamp(…)` and `Timespan(…)`: from a string in one of Puppet's formats or a number
    /// of seconds; a Timestamp of nothing is now, a Timespan also comes from a hash of units
    /// (`{days => 3, hours => 12}`, `negative => true`). A format argument is not supported yet.
    func newTime(_ type: String, _ args: [Value], _ e: Expr) throws -> Value {
        let stamp = type == "Timestamp"
        func fail(_ message: String) -> CompileError { error("Evaluation Error: Error while evaluating a Function Call, " + message, e) }
        func make(_ nanos: Int) -> Value { stamp ? .timestamp(nanos) : .timespan(nanos) }
        if args.count > 1 { throw fail("\(type)() with a format argument is not supported yet") }
        do {
            switch args.first {
            case nil where stamp:
                var t = timespec()
                clock_gettime(CLOCK_REALTIME, &t)
                return .timestamp(t.tv_sec * PuppetTime.nanosPerSecond + t.tv_nsec)
            case let .string(s)?:
                guard let n = try stamp ? PuppetTime.parseTimestamp(s) : PuppetTime.parseTimespan(s) else {
                    throw fail("Unable to parse '\(s)' using any of the formats \(stamp ? PuppetTime.timestampFormats : PuppetTime.timespanFormats)")
                }
                return make(n)
            case let .integer(i)?: return make(try PuppetTime.product(i, PuppetTime.nanosPerSecond))
            case let .float(f)?: return make(try PuppetTime.nanos(seconds: f))
            case let .hash(h)? where !stamp:
                let units: [(String, Int)] = [("days", 86400 * PuppetTime.nanosPerSecond), ("hours", 3600 * PuppetTime.nanosPerSecond),
                                              ("minutes", 60 * PuppetTime.nanosPerSecond), ("seconds", PuppetTime.nanosPerSecond),
                                              ("milliseconds", 1_000_000), ("microseconds", 1_000), ("nanoseconds", 1)]
                var total = 0
                for (k, v) in h.pairs where k != .string("negative") {
                    guard case let .string(key) = k, let unit = units.first(where: { $0.0 == key })?.1, case let .integer(n) = v else {
                        throw fail("Timespan() does not take '\(k.interpolated) => \(v.interpolated)'")
                    }
                    total = try PuppetTime.sum(total, PuppetTime.product(n, unit))
                }
                return .timespan(h[.string("negative")]?.isTruthy == true ? -total : total)
            case let v? where v.typeName == type: return v
            case let v?: throw fail("\(type)() cannot be made from \(articled(v.typeName))")
            case nil: throw fail("Timespan() needs a value")
            }
        } catch is PuppetTime.OutOfRange {
            throw fail("the \(type) is out of range (64-bit nanoseconds: years 1678 to 2262, spans of about 292 years)")
        }
    }

    /// `strftime(time, format)` and `time.strftime(format)`.
    func strftime(_ args: [Value], _ e: Expr) throws -> Value {
        guard args.count >= 2, case let .string(format) = args[1] else {
            throw error("Evaluation Error: Error while evaluating a Function Call, strftime() expects a Timestamp or Timespan and a format string", e)
        }
        do {
            switch args[0] {
            case let .timestamp(ts): return .string(try PuppetTime.strftime(timestamp: ts, format))
            case let .timespan(span): return .string(try PuppetTime.strftime(timespan: span, format))
            default:
                throw error("Evaluation Error: Error while evaluating a Function Call, strftime() expects a Timestamp or Timespan, got \(args[0].typeName)", e)
            }
        } catch let f as PuppetTime.FormatError {
            throw error("Evaluation Error: Error while evaluating a Function Call, " + f.message, e)
        }
    }

    /// Arithmetic with a Timestamp or Timespan on either side (nil when neither is one), as
    /// Puppet 7 has it: numbers are seconds; timestamp ± timespan or number is a timestamp,
    /// timestamp − timestamp a timespan; timespans add, subtract, multiply and divide by
    /// numbers, and a timespan divided by a timespan is a Float. Anything else is Puppet's error.
    func timeArithmetic(_ op: String, _ l: Value, _ r: Value, _ e: Expr) throws -> Value? {
        do { return try timeArithmeticUnchecked(op, l, r, e) } catch is PuppetTime.OutOfRange { throw overflow(e) }
    }

    func timeArithmeticUnchecked(_ op: String, _ l: Value, _ r: Value, _ e: Expr) throws -> Value? {
        typealias T = PuppetTime
        func seconds(_ v: Value) -> Double? {
            switch v {
            case let .integer(i): return Double(i)
            case let .float(f): return f
            default: return nil
            }
        }
        /// A number of seconds or a timespan, as nanoseconds.
        func nanos(_ v: Value) throws -> Int? {
            switch v {
            case let .timespan(t): return t
            case let .integer(i): return try T.product(i, T.nanosPerSecond)
            case let .float(f): return try T.nanos(seconds: f)
            default: return nil
            }
        }
        func fail(_ message: String) -> CompileError {
            error("Evaluation Error: Error while evaluating a '\(op)' expression, \(message)", e)
        }
        switch (l, r) {
        case let (.timestamp(a), .timestamp(b)):
            if op == "-" { return .timespan(try T.difference(a, b)) }
            if op == "+" { throw fail("A Timestamp cannot be added to a Timestamp") }
        case let (.timestamp(a), _):
            if op == "+" || op == "-", let d = try nanos(r) { return .timestamp(try T.apply(op, a, d)) }
        case let (.timespan(a), .timestamp(b)):
            switch op {
            case "+": return .timestamp(try T.sum(a, b))
            case "-": throw fail("A Timestamp cannot be subtracted from a Timespan")
            case "*": throw fail("A Timestamp cannot be multiplied by a Timestamp")
            case "/": throw fail("A Timespan cannot be divided by a Timestamp")
            default: break
            }
        case let (.timespan(a), .timespan(b)):
            switch op {
            case "+": return .timespan(try T.sum(a, b))
            case "-": return .timespan(try T.difference(a, b))
            case "*": throw fail("A Timestamp cannot be multiplied by a Timespan")
            case "/":
                guard b != 0 else { throw error("Evaluation Error: Division by 0", e) }
                return .float(Double(a) / Double(b))
            default: break
            }
        case let (.timespan(a), _):
            guard let x = seconds(r) else { break }
            switch op {
            case "+", "-":
                return .timespan(try T.apply(op, a, try nanos(r)!))
            // Puppet truncates a product and floors a quotient to whole nanoseconds.
            case "*": return .timespan(try T.integer(Double(a) * x, .towardZero))
            case "/":
                guard x != 0 else { throw error("Evaluation Error: Division by 0", e) }
                return .timespan(try T.integer(Double(a) / x, .down))
            default: break
            }
        case let (_, .timespan(b)):
            guard let x = seconds(l) else { return nil }
            switch op {
            case "+": return .timespan(try T.sum(try nanos(l)!, b))
            case "-": return .timespan(try T.difference(try nanos(l)!, b))
            case "*": return .timespan(try T.integer(Double(b) * x, .towardZero))
            default: break
            }
            throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)) when right side is a Timespan.", e)
        case let (_, .timestamp(b)):
            if op == "+", let d = try nanos(l) { return .timestamp(try T.sum(d, b)) }
            throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)) when right side is a Timestamp.", e)
        default:
            return nil
        }
        throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)).", e)
    }
}
