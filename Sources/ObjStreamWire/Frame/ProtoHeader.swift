/// The 16-byte header that starts every frame on the wire.
///
/// The first big-endian word holds the length of what follows in its low bits
/// and four flag bits at the top; the second word is ``ProtoHeader/check(_:)``
/// of the first, so that a receiver can tell a broken stream from a frame.
public struct ProtoHeader: Hashable, Sendable {
    /// The encoded size of a proto header, in bytes.
    public static let size = 16

    /// Flag bits carried in the top four bits of the first word.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt64

        /// Creates flags from their bits in the first word.
        public init(rawValue: UInt64) { self.rawValue = rawValue }

        /// Reserved by the format and never set by a sender.
        public static let message = Flags(rawValue: 1 << 63)
        /// The frame is a PDU.
        public static let pdu = Flags(rawValue: 1 << 62)
        /// The PDU is its object's last.
        public static let lastPDU = Flags(rawValue: 1 << 61)
        /// The object's data follows as PDUs.
        public static let pduStream = Flags(rawValue: 1 << 60)

        /// All four flag bits.
        public static let all: Flags = [.message, .pdu, .lastPDU, .pduStream]
    }

    /// The length of what follows the proto header.
    public var length: UInt64
    /// The flags of the frame.
    public var flags: Flags

    /// Creates a proto header.
    /// - Parameters:
    ///   - length: The length of what follows; at most 2^60 - 1.
    ///   - flags: The frame's flags.
    public init(length: UInt64, flags: Flags = []) {
        precondition(length & Flags.all.rawValue == 0, "proto header length \(length) overlaps the flag bits")
        self.length = length
        self.flags = flags
    }

    /// The first word as it goes on the wire (before byte swapping).
    public var word: UInt64 { length | flags.rawValue }

    /// Splits a first word into length and flags.
    /// - Parameter word: The first word of a proto header.
    public init(word: UInt64) {
        self.length = word & ~Flags.all.rawValue
        self.flags = Flags(rawValue: word & Flags.all.rawValue)
    }

    /// The 64-bit mixing function that checks the first word of a proto header.
    ///
    /// - Parameter x: The first word.
    /// - Returns: The check word that follows it on the wire.
    @inlinable
    public static func check(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z = (z ^ (z >> 31)) &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z = (z ^ (z >> 31)) &* 5
        return ((z << 7) | (z >> 57)) &* 9
    }

    /// Writes the 16 bytes of this header.
    /// - Parameter destination: At least ``size`` writable bytes.
    @inlinable
    public func write(to destination: UnsafeMutableRawPointer) {
        let w = word
        destination.storeBytes(of: w.bigEndian, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: ProtoHeader.check(w).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Reads a proto header and reports whether its check word matches.
    /// - Parameter source: At least ``size`` readable bytes.
    /// - Returns: The header, and `false` when the check word does not match.
    @inlinable
    public static func read(from source: UnsafeRawPointer) -> (header: ProtoHeader, checked: Bool) {
        let w = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let c = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        return (ProtoHeader(word: w), c == check(w))
    }

    /// The 16 bytes of this header as an array.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: ProtoHeader.size) { buffer, count in
            write(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = ProtoHeader.size
        }
    }
}
