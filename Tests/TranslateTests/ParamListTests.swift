import Graph
@testable import Translate
import XCTest

/// `ParamList`, which holds every catalog resource's and graph resource's parameters in place of
/// a dictionary: it must behave as one (lookups, updates, removal, equality) and keep the order
/// keys were first set in, which the relationship check and messages rely on.
final class ParamListTests: XCTestCase {
    func testBehavesAsADictionaryAndKeepsFirstSetOrder() {
        var p = ParamList<Int>()
        var d: [String: Int] = [:]
        var order: [String] = []
        // A fixed pseudo-random sequence of sets, updates and removals over a few keys.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        let keys = ["ensure", "path", "content", "mode", "require", "tag", "é", "e\u{301}", ""]
        for step in 0..<2000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let key = keys[Int(seed >> 33) % keys.count]
            if (seed >> 20) % 5 == 0 {
                XCTAssertEqual(p.removeValue(forKey: key), d.removeValue(forKey: key), "step \(step)")
                order.removeAll { $0 == key }
            } else {
                if d[key] == nil { order.append(key) }
                XCTAssertEqual(p.updateValue(step, forKey: key), d.updateValue(step, forKey: key), "step \(step)")
            }
            XCTAssertEqual(p.count, d.count)
            XCTAssertEqual(p.dictionary, d)
            // Swift's String equality is canonical: "é" and "e\u{301}" are one key, as in a dictionary.
            XCTAssertEqual(p.keys.count, Set(p.keys).count)
        }
        XCTAssertEqual(p.keys, order, "keys in the order they were first set")
        for k in keys { XCTAssertEqual(p[k], d[k]) }
    }

    func testEqualityIgnoresOrderButNotValues() {
        let a: ParamList<GraphValue> = ["path": .string("/a"), "mode": .string("0644")]
        var b = ParamList<GraphValue>()
        b["mode"] = .string("0644")
        b["path"] = .string("/a")
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.keys, ["path", "mode"])
        XCTAssertEqual(b.keys, ["mode", "path"])
        b["mode"] = .string("0600")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(b.keys, ["mode", "path"], "an update keeps the key's place")
        b["mode"] = nil
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(b.keys, ["path"])
    }

    func testPlacesSortedByKeyAreUTF8ByteOrder() {
        let keys = ["name", "Zed", "ä", "a", "ab", "", "b", "a\u{0}", "~"]
        var p = ParamList<Int>()
        for (i, k) in keys.enumerated() { p[k] = i }
        let sorted = p.withPlacesSortedByKey { order in order.map { p.entries[$0].key } }
        XCTAssertEqual(sorted, keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        XCTAssertEqual(ParamList<Int>().withPlacesSortedByKey { $0.count }, 0)
    }
}

/// `ByteKeyedTable`, the catalog's index by reference and each type's accepted attributes.
final class ByteKeyedTableTests: XCTestCase {
    func testFindsWhatWasSetAndNothingElse() {
        var t = ByteKeyedTable<Int>()
        var d: [[UInt8]: Int] = [:]
        // Keys that share long prefixes and differ near the end (as references do), grown past
        // several rehashes.
        for i in 0..<5000 {
            let key = i % 3 == 0 ? "File[/tmp/bench-root/f\(i)]" : i % 3 == 1 ? "Exec[gen-e\(i)]" : "x\(i % 97)"
            t[key] = i
            d[Array(key.utf8)] = i
        }
        XCTAssertEqual(t.count, d.count)
        for (k, v) in d { XCTAssertEqual(t[String(decoding: k, as: UTF8.self)], v) }
        for miss in ["", "File[/tmp/bench-root/f1]", "File[/tmp/bench-root/f3", "x97", "Exec[gen-e4] "] {
            XCTAssertNil(t[miss], miss)
        }
    }

    func testKeysAreBytesNotUnicodeEquivalence() {
        var t = ByteKeyedTable<Int>()
        t["Notify[\u{E9}]"] = 1  // é, one scalar
        t["Notify[e\u{301}]"] = 2  // e + combining acute: Puppet's second resource
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(t["Notify[\u{E9}]"], 1)
        XCTAssertEqual(t["Notify[e\u{301}]"], 2)
        t["Notify[\u{E9}]"] = 3
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(t["Notify[\u{E9}]"], 3)
    }
}
