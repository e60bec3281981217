/// The payload pattern of the golden streams: `seed = FNV-1a-64(object name)`,
/// `word(k) = seed ^ (k * 0x9E3779B97F4A7C15)`, payload = little-endian words cut to size.
public enum PayloadPattern {
    /// FNV-1a, 64 bits.
    public static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The first `size` bytes of the pattern for an object name.
    public static func bytes(for name: String, size: Int) -> [UInt8] {
        let seed = fnv1a64(name)
        var out = [UInt8]()
        out.reserveCapacity(size + 8)
        var k: UInt64 = 0
        while out.count < size {
            let word = seed ^ (k &* 0x9E37_79B9_7F4A_7C15)
            withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
            k += 1
        }
        return Array(out.prefix(size))
    }
}
