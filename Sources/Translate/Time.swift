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

    // MARK: Timestamps

    /// `2024-02-29T13:45:10.000 UTC`, `…Z`, `…+01:00`, `2024-02-29T13:45:10`, `2024-02-29`.
    static func parseTimestamp(_ s: String) -> Int? {
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
            guard let h = digits(2), take(":"), let m = digits(2), h < 24, m < 60 else { return nil }
            seconds = h * 3600 + m * 60
            if take(":") {
                guard let sec = digits(2), sec < 61 else { return nil }
                seconds += sec
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
        return (daysFromCivil(year, month, day) * 86400 + seconds - offset) * nanosPerSecond + nanos
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
        let secs = ts >= 0 ? ts / nanosPerSecond : (ts - nanosPerSecond + 1) / nanosPerSecond
        let nanos = ts - secs * nanosPerSecond
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rest = secs - days * 86400
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
            case "s": out += String(ts >= 0 ? ts / nanosPerSecond : (ts - nanosPerSecond + 1) / nanosPerSecond)
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

    /// `1-02:03:04`, `02:03:04`, `02:03`, with a fraction of a second (`…:04.5`), signed.
    static func parseTimespan(_ s: String) -> Int? {
        var t = Substring(s)
        var negative = false
        if t.hasPrefix("-") { negative = true; t = t.dropFirst() }
        var days = 0
        if let dash = t.firstIndex(of: "-") {
            guard let d = Int(t[..<dash]) else { return nil }
            days = d
            t = t[t.index(after: dash)...]
        }
        var fraction = 0
        if let dot = t.firstIndex(of: ".") {
            let digits = t[t.index(after: dot)...]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), let f = Int(digits) else { return nil }
            fraction = f * Int(pow(10, Double(9 - digits.count)))
            t = t[..<dot]
        }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let p = parts.map { $0! }
        let seconds = days * 86400 + p[0] * 3600 + p[1] * 60 + (p.count == 3 ? p[2] : 0)
        let total = seconds * nanosPerSecond + fraction
        return negative ? -total : total
    }

    /// Puppet's default form, `D-HH:MM:SS.F`: the fraction's digits without trailing zeros
    /// (as Puppet 7 prints it: 1 ms is `.1`, half a second `.5`, none `.0`).
    static func timespanString(_ span: Int) -> String {
        let m = span.magnitude
        let secs = Int(m / UInt(nanosPerSecond)), nanos = Int(m % UInt(nanosPerSecond))
        var frac = String(nanos)
        while frac.count > 1 && frac.hasSuffix("0") { frac.removeLast() }
        return (span < 0 ? "-" : "") + "\(secs / 86400)-" + pad(secs / 3600 % 24, 2, nil) + ":" + pad(secs / 60 % 60, 2, nil) + ":" +
            pad(secs % 60, 2, nil) + "." + frac
    }

    /// Puppet's Timespan#format: %D days, %H %M %S (within the day, hour, minute), %L
    /// milliseconds and %N nanoseconds (left-aligned in their width, as Puppet 7 prints them),
    /// `-` for no padding.
    static func strftime(timespan span: Int, _ format: String) throws -> String {
        let m = span.magnitude
        let secs = Int(m / UInt(nanosPerSecond)), nanos = Int(m % UInt(nanosPerSecond))
        var out = span < 0 ? "-" : ""
        var it = format.makeIterator()
        while let ch = it.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard var conv = it.next() else { throw FormatError(message: "strftime(): a format ends in '%'") }
            var flag: Character?
            if conv == "-" || conv == "_" || conv == "0" {
                flag = conv
                guard let n = it.next() else { throw FormatError(message: "strftime(): a format ends in '%\(conv)'") }
                conv = n
            }
            func leftAligned(_ n: Int, _ width: Int) -> String {
                let s = String(n)
                return flag == "-" || s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
            }
            switch conv {
            case "D": out += String(secs / 86400)
            case "H": out += pad(secs / 3600 % 24, 2, flag)
            case "M": out += pad(secs / 60 % 60, 2, flag)
            case "S": out += pad(secs % 60, 2, flag)
            case "L": out += leftAligned(nanos / 1_000_000, 3)
            case "N": out += leftAligned(nanos, 9)
            case "%": out += "%"
            default:
                throw FormatError(message: "strftime(): the conversion '%\(conv)' for a Timespan is not supported yet")
            }
        }
        return out
    }
}

extension Compiler {
    /// `Timestamp(…)`: a string in one of the ISO forms, or seconds since the epoch; none is now.
    func newTimestamp(_ args: [Value], _ e: Expr) throws -> Value {
        switch args.first {
        case nil:
            var t = timespec()
            clock_gettime(CLOCK_REALTIME, &t)
            return .timestamp(t.tv_sec * PuppetTime.nanosPerSecond + t.tv_nsec)
        case let .string(s)?:
            guard let ts = PuppetTime.parseTimestamp(s) else {
                throw error("Evaluation Error: Error while evaluating a Function Call, Unable to parse '\(s)' using any of the formats this Timestamp accepts", e)
            }
            return .timestamp(ts)
        case let .integer(i)?: return .timestamp(i * PuppetTime.nanosPerSecond)
        case let .float(f)?: return .timestamp(Int((f * Double(PuppetTime.nanosPerSecond)).rounded()))
        case let v? where { if case .timestamp = v { return true }; return false }(): return v
        case let v?: throw error("Evaluation Error: Error while evaluating a Function Call, Timestamp() cannot be made from \(articled(v.typeName))", e)
        }
    }

    /// `Timespan(…)`: `D-HH:MM:SS.F` forms, or seconds.
    func newTimespan(_ args: [Value], _ e: Expr) throws -> Value {
        switch args.first {
        case let .string(s)?:
            guard let span = PuppetTime.parseTimespan(s) else {
                throw error("Evaluation Error: Error while evaluating a Function Call, Unable to parse '\(s)' using any of the formats this Timespan accepts", e)
            }
            return .timespan(span)
        case let .integer(i)?: return .timespan(i * PuppetTime.nanosPerSecond)
        case let .float(f)?: return .timespan(Int((f * Double(PuppetTime.nanosPerSecond)).rounded()))
        case let .hash(h)?:
            // `Timespan({days => 3, hours => 12})`, with `negative => true` to turn it around.
            let units: [(String, Int)] = [("days", 86400 * PuppetTime.nanosPerSecond), ("hours", 3600 * PuppetTime.nanosPerSecond),
                                          ("minutes", 60 * PuppetTime.nanosPerSecond), ("seconds", PuppetTime.nanosPerSecond),
                                          ("milliseconds", 1_000_000), ("microseconds", 1_000), ("nanoseconds", 1)]
            var total = 0
            for (k, v) in h.pairs {
                guard case let .string(key) = k else { throw error("Evaluation Error: Error while evaluating a Function Call, Timespan() hash keys must be strings", e) }
                if key == "negative" { continue }
                guard let unit = units.first(where: { $0.0 == key })?.1, case let .integer(n) = v else {
                    throw error("Evaluation Error: Error while evaluating a Function Call, Timespan() does not take '\(key) => \(v.interpolated)'", e)
                }
                total += n * unit
            }
            return .timespan(h[.string("negative")]?.isTruthy == true ? -total : total)
        case let v? where { if case .timespan = v { return true }; return false }(): return v
        case let v?: throw error("Evaluation Error: Error while evaluating a Function Call, Timespan() cannot be made from \(articled(v.typeName))", e)
        case nil: throw error("Evaluation Error: Error while evaluating a Function Call, Timespan() needs a value", e)
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
        let perSecond = Double(PuppetTime.nanosPerSecond)
        func seconds(_ v: Value) -> Double? {
            switch v {
            case let .integer(i): return Double(i)
            case let .float(f): return f
            default: return nil
            }
        }
        func nanos(_ v: Value) -> Int? {
            if case let .timespan(t) = v { return t }
            return seconds(v).map { Int(($0 * perSecond).rounded()) }
        }
        func fail(_ message: String) -> CompileError {
            error("Evaluation Error: Error while evaluating a '\(op)' expression, \(message)", e)
        }
        switch (l, r) {
        case let (.timestamp(a), .timestamp(b)):
            if op == "-" { return .timespan(a - b) }
            if op == "+" { throw fail("A Timestamp cannot be added to a Timestamp") }
        case let (.timestamp(a), _):
            if let d = nanos(r), op == "+" || op == "-" { return .timestamp(op == "+" ? a + d : a - d) }
        case let (.timespan(a), .timestamp(b)):
            switch op {
            case "+": return .timestamp(a + b)
            case "-": throw fail("A Timestamp cannot be subtracted from a Timespan")
            case "*": throw fail("A Timestamp cannot be multiplied by a Timestamp")
            case "/": throw fail("A Timespan cannot be divided by a Timestamp")
            default: break
            }
        case let (.timespan(a), .timespan(b)):
            switch op {
            case "+": return .timespan(a + b)
            case "-": return .timespan(a - b)
            case "*": throw fail("A Timestamp cannot be multiplied by a Timespan")
            case "/":
                guard b != 0 else { throw error("Evaluation Error: Division by 0", e) }
                return .float(Double(a) / Double(b))
            default: break
            }
        case let (.timespan(a), _):
            guard let x = seconds(r) else { break }
            switch op {
            case "+": return .timespan(a + Int((x * perSecond).rounded()))
            case "-": return .timespan(a - Int((x * perSecond).rounded()))
            case "*": return .timespan(Int((Double(a) * x).rounded()))
            case "/":
                guard x != 0 else { throw error("Evaluation Error: Division by 0", e) }
                return .timespan(Int((Double(a) / x).rounded()))
            default: break
            }
        case let (_, .timespan(b)):
            guard let x = seconds(l) else { return nil }
            switch op {
            case "+": return .timespan(Int((x * perSecond).rounded()) + b)
            case "-": return .timespan(Int((x * perSecond).rounded()) - b)
            case "*": return .timespan(Int((Double(b) * x).rounded()))
            default: break
            }
            throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)) when right side is a Timespan.", e)
        case let (_, .timestamp(b)):
            if let d = nanos(l), op == "+" { return .timestamp(d + b) }
            throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)) when right side is a Timestamp.", e)
        default:
            return nil
        }
        throw error("Evaluation Error: Operator '\(op)' is not applicable to \(articled(l.typeName)).", e)
    }
}
