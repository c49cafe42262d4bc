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
        // (No two Unicode-equivalent spellings among them: those are two keys here, below.)
        let keys = ["ensure", "path", "content", "mode", "require", "tag", "é", "élan", ""]
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
            XCTAssertEqual(p.keys.count, Set(p.keys).count)
        }
        XCTAssertEqual(p.keys, order, "keys in the order they were first set")
        for k in keys { XCTAssertEqual(p[k], d[k]) }
    }

    /// Keys are names, compared as Puppet and mgmt compare them (bytes): "é" and "e\u{301}"
    /// (one code point; e and a combining accent) are two keys, where a dictionary has one.
    func testUnicodeEquivalentSpellingsAreTwoKeys() {
        var p = ParamList<Int>()
        p["\u{E9}"] = 1
        p["e\u{301}"] = 2
        XCTAssertEqual(p.count, 2)
        XCTAssertEqual(p["\u{E9}"], 1)
        XCTAssertEqual(p["e\u{301}"], 2)
        XCTAssertEqual(p.keys, ["\u{E9}", "e\u{301}"])
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

    /// The writers' memo of sorted orders gives what sorting gives, for shapes met again (the
    /// same key strings), keys that spell the same but are other strings (long ones, made
    /// apart), more shapes than it keeps, and shapes that differ only in order or length.
    func testRememberedSortedOrdersAreTheSortedOrders() {
        func made(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }
        let long = "a-parameter-name-longer-than-fifteen-bytes"
        var shapes: [[String]] = [["path", "state", "content"], ["cmd", "shell", "path"], ["state", "path", "content"],
                                  ["path", "state"], [long, "b"], [made(long), "b"], [], ["z"]]
        for i in 0..<12 { shapes.append(["k\(i)", "a", "k"]) }
        var memo = SortedKeyOrders()
        for round in 0..<3 {
            for shape in shapes + shapes.reversed() {
                var p = ParamList<Int>()
                for (i, k) in shape.enumerated() { p[round == 2 ? made(k) : k] = i }
                let expected = p.withPlacesSortedByKey { Array($0) }
                XCTAssertEqual(memo.withPlacesSortedByKey(p) { Array($0) }, expected, "\(shape), round \(round)")
            }
        }
    }
}

/// The graph resource's rarely set fields live in a box shared by copies: they must behave as
/// stored fields (a copy changed apart keeps its own value; equality reads meta, not positions).
final class ResourceExtrasTests: XCTestCase {
    func testMetaAndPositionsBehaveAsStoredValues() {
        var a = Resource(kind: "exec", name: "x", meta: Meta(retry: 2))
        var b = a
        b.meta?.retry = 5
        XCTAssertEqual(a.meta?.retry, 2, "a copy's change is its own")
        XCTAssertEqual(b.meta?.retry, 5)
        XCTAssertNotEqual(a, b)
        a.position = Position(line: 3, column: 1)
        a.paramPositions["cmd"] = Position(line: 4, column: 3)
        let c = a
        a.meta = nil
        XCTAssertNil(a.meta)
        XCTAssertEqual(a.position, Position(line: 3, column: 1), "clearing meta keeps the positions")
        XCTAssertEqual(c.meta?.retry, 2)
        XCTAssertEqual(c.paramPositions["cmd"], Position(line: 4, column: 3))
        var d = Resource(kind: "exec", name: "x")
        XCTAssertNil(d.meta)
        XCTAssertNil(d.position)
        XCTAssertTrue(d.paramPositions.isEmpty)
        d.position = Position(line: 9, column: 9)
        XCTAssertEqual(d, Resource(kind: "exec", name: "x"), "positions are not part of equality")
        d.position = nil
        d.meta = Meta()
        XCTAssertEqual(d.meta, Meta())
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
