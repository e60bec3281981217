import CLZ4

/// The lz4 block sizes the format allows.
public enum LZ4BlockSize: Int, Sendable, CaseIterable {
    /// 64 KiB blocks.
    case kib64 = 65536
    /// 256 KiB blocks (the default).
    case kib256 = 262_144
    /// 1 MiB blocks.
    case mib1 = 1_048_576
    /// 4 MiB blocks.
    case mib4 = 4_194_304

    /// The block size for a number of bytes, if it is one of the four.
    public init?(bytes: Int) { self.init(rawValue: bytes) }

    var frameValue: LZ4F_blockSizeID_t {
        switch self {
        case .kib64: LZ4F_max64KB
        case .kib256: LZ4F_max256KB
        case .mib1: LZ4F_max1MB
        case .mib4: LZ4F_max4MB
        }
    }
}
