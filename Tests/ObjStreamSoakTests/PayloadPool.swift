import ObjStreamTestSupport

/// The bytes every soak object is cut from: 8 MiB of pseudo-random bytes (incompressible)
/// followed by 4 MiB of repeated text (compressible), built once and shared.
final class PayloadPool: Sendable {
    /// The largest object the soak sends.
    static let maxObjectSize = 4 << 20
    /// The pool.
    let bytes: [UInt8]
    /// The custom metadata key of an object's offset in the pool.
    static let offsetKey = "soak-offset"
    /// The custom metadata key of an object's size (also for unsized objects).
    static let sizeKey = "soak-size"

    /// The pool of the process.
    static let shared = PayloadPool()

    private init() {
        let randomCount = 8 << 20
        var out = [UInt8](repeating: 0, count: randomCount + Self.maxObjectSize)
        out.withUnsafeMutableBytes { raw in
            var rng = SplitMix64(seed: 0x5EED_0B57_2EA4)
            for i in stride(from: 0, to: randomCount, by: 8) {
                raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
            }
            let text = Array("objstream soak: the quick brown fox jumps over the lazy dog 0123456789\n".utf8)
            var i = randomCount
            while i < raw.count {
                let n = min(text.count, raw.count - i)
                text.withUnsafeBytes { raw.baseAddress!.advanced(by: i).copyMemory(from: $0.baseAddress!, byteCount: n) }
                i += n
            }
        }
        bytes = out
    }

    /// A window of `count` bytes at a random offset.
    /// - Parameters:
    ///   - count: The window's size, at most ``maxObjectSize``.
    ///   - rng: Where the offset comes from.
    /// - Returns: The source of the window.
    func source(count: Int, using rng: inout some RandomNumberGenerator) -> PoolSource {
        PoolSource(pool: self, offset: Int.random(in: 0...(bytes.count - count), using: &rng), count: count)
    }
}
