/// The chunk sizes a body is fed in, chosen by one input byte: the same byte, the same chunks.
struct ChunkPlan {
    /// The sizes a plan cycles through: single bytes, header straddles, a 16-byte proto header,
    /// around a PDU, and an HTTP read.
    private static let sizes = [1, 2, 3, 7, 15, 16, 17, 64, 700, 4080, 4097, 65536]
    private var state: UInt32

    /// The plan of one input byte.
    /// - Parameter seed: The byte.
    init(seed: UInt8) { state = UInt32(seed) &* 2_654_435_761 | 1 }

    /// One chunk holding the whole body.
    static let whole = ChunkPlan(wholeBody: ())

    private init(wholeBody: ()) { state = 0 }

    /// The next chunk's size.
    /// - Returns: Bytes; `Int.max` for ``whole``.
    mutating func next() -> Int {
        guard state != 0 else { return Int.max }
        // xorshift32: never returns to 0 from a non-zero state.
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Self.sizes[Int(state % UInt32(Self.sizes.count))]
    }
}
