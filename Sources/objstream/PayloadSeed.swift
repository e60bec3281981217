/// The bytes of synthetic objects: one shared buffer, a cheap non-repeating pattern.
enum PayloadSeed {
    /// Makes the buffer with a xorshift generator, the same bytes on every run.
    /// - Parameter count: How many bytes.
    /// - Returns: The bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
            var x: UInt64 = 0x9E37_79B9_7F4A_7C15
            var i = 0
            while i < count {
                x ^= x << 13
                x ^= x >> 7
                x ^= x << 17
                buffer[i] = UInt8(truncatingIfNeeded: x)
                i += 1
            }
            n = count
        }
    }
}
