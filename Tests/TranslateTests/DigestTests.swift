import XCTest
@testable import Translate

/// md5(), sha1() and sha256() against the published test vectors (RFC 1321 §A.5, FIPS 180-2
/// appendices), including inputs that need two and more 64-byte blocks.
final class DigestTests: XCTestCase {
    func testPublishedVectors() {
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(Digest.md5Hex([]), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(Digest.md5Hex(Array("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(Digest.md5Hex(Array(String(repeating: "1234567890", count: 8).utf8)), "57edf4a22be3c955ac49da2e2107b67a")
        XCTAssertEqual(Digest.sha1Hex(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(Digest.sha1Hex(twoBlocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(Digest.sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.sha256Hex(twoBlocks), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Digest.sha256Hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// fqdn_rand()'s generator against what Ruby 3 (Debian's, which Puppet 7 runs on) printed for
/// `Random.new(seed).rand(max)`.
final class RubyRandomTests: XCTestCase {
    func testMatchesRuby() {
        func first(_ words: [UInt32], _ max: Int) -> Int {
            var r = RubyRandom(seedWords: words)
            return r.rand(max)
        }
        XCTAssertEqual(first([0], 10), 5)
        XCTAssertEqual(first([12345], 60), 34)
        XCTAssertEqual(first([7, 0, 0, 16], 1000), 12)          // 2**100 + 7
        XCTAssertEqual(first([0, 0, 1], 1_000_000), 354_281)    // 2**64: Ruby drops a top word of 1
        XCTAssertEqual(first([5, 1], 1000), 867)   // 2**32 + 5: ... and then seeds with one word
        var r = RubyRandom(seedWords: [42])
        XCTAssertEqual([r.rand(100), r.rand(100), r.rand(1 << 31), r.rand(7)], [51, 92, 787_846_414, 2])
        XCTAssertEqual(RubyRandom.words(hex: "95c5f6e4d2c4a8b8b0f0c3b6a2a1e1d6"), [0xa2a1e1d6, 0xb0f0c3b6, 0xd2c4a8b8, 0x95c5f6e4])
    }
}
