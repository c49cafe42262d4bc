/// Ruby's `Random.new(seed).rand(max)` for a non-negative Integer seed, which Puppet's
/// fqdn_rand() calls (Puppet::Util.deterministic_rand_int): the MT19937 generator seeded with
/// Ruby's seeding of the seed's 32-bit words (least significant first), and Ruby's
/// limited_rand (mask to the bit length of max - 1, draw again when above it).
struct RubyRandom {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 625

    /// `words`: the seed's 32-bit words, least significant first (at least one). As Ruby's
    /// rand_init: one word seeds the generator directly; with more, a top word of 1 is dropped
    /// (Ruby takes it for a leading-zero guard) and the rest go through init_by_array.
    init(seedWords seed: [UInt32]) {
        var words = seed.isEmpty ? [0] : seed
        if words.count > 1, words.last == 1 { words.removeLast() }
        if words.count == 1 {
            initGenrand(words[0])
            return
        }
        initGenrand(19_650_218)
        var i = 1, j = 0
        let n = 624
        for _ in 0..<max(n, words.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ words[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= n { mt[0] = mt[n - 1]; i = 1 }
            if j >= words.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n { mt[0] = mt[n - 1]; i = 1 }
        }
        mt[0] = 0x8000_0000
        index = n
    }

    private mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 { mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
    }

    mutating func next32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7fff_ffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_b0df)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// `rand(max)` for 0 < max ≤ 2^32.
    mutating func rand(_ max: Int) -> Int {
        let limit = UInt32(max - 1)
        if limit == 0 { return 0 }
        var mask = limit
        for s in [1, 2, 4, 8, 16] as [UInt32] { mask |= mask >> s }
        while true {
            let v = next32() & mask
            if v <= limit { return Int(v) }
        }
    }

    /// The 32-bit words of a number written in hex (an MD5 or SHA-256 digest), least
    /// significant first, without leading zero words.
    static func words(hex: String) -> [UInt32] {
        var digits = Array(hex.utf8)
        var out: [UInt32] = []
        while !digits.isEmpty {
            let chunk = digits.suffix(8)
            digits.removeLast(chunk.count)
            out.append(UInt32(String(decoding: chunk, as: UTF8.self), radix: 16) ?? 0)
        }
        while out.count > 1, out.last == 0 { out.removeLast() }
        return out.isEmpty ? [0] : out
    }
}
