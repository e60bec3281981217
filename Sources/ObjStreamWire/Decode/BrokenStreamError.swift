/// A stream that ended anywhere but at a frame boundary, or carried bytes that are
/// not a frame: the error a receiver reports once per broken stream (WIRE.md 4).
public struct BrokenStreamError: Error, Sendable, CustomStringConvertible {
    /// The `sbr_*` code of the break. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable, CaseIterable {
            case protoHeader = "sbr_proto_hdr"
            case protoHeaderLong = "sbr_proto_hdr_long"
            case headerChecksum = "sbr_hdr_checksum"
            case objectHeaderShort = "sbr_obj_hdr_short"
            case objectHeaderInvalid = "sbr_obj_hdr_inval"
            case objectData = "sbr_obj_data"
            case objectDataEOF = "sbr_obj_data_eof"
            case objectDataSize = "sbr_obj_data_size"
            case pduHeaderShort = "sbr_pdu_hdr_short"
            case pduHeaderInvalid = "sbr_pdu_hdr_invalid"
            case pduData = "sbr_pdu_data"
            case pduDataSize = "sbr_pdu_data_size"
            case compression = "sbr_lz4"
            case compressionBlockSize = "sbr_lz4_block"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// Could not read a whole proto header.
        public static let protoHeader = Code(.protoHeader)
        /// Header length over the 128 KiB maximum.
        public static let protoHeaderLong = Code(.protoHeaderLong)
        /// Proto header check word does not match.
        public static let headerChecksum = Code(.headerChecksum)
        /// The body ended inside an object header.
        public static let objectHeaderShort = Code(.objectHeaderShort)
        /// Object header malformed, length mismatch, or `hlen <= 0`.
        public static let objectHeaderInvalid = Code(.objectHeaderInvalid)
        /// A transport error before any of the object's data was read.
        public static let objectData = Code(.objectData)
        /// The body ended before the object's `size` bytes.
        public static let objectDataEOF = Code(.objectDataEOF)
        /// A transport error after part of the object's data was read.
        public static let objectDataSize = Code(.objectDataSize)
        /// The body ended inside a PDU header.
        public static let pduHeaderShort = Code(.pduHeaderShort)
        /// A PDU header without the `pdu` flag, or with a length out of range.
        public static let pduHeaderInvalid = Code(.pduHeaderInvalid)
        /// The body ended, or the transport failed, inside a PDU's payload.
        public static let pduData = Code(.pduData)
        /// A sized object's PDUs do not add up to its size.
        public static let pduDataSize = Code(.pduDataSize)
        /// The lz4 frame decompressor rejected the body (objstream's own code).
        public static let compression = Code(.compression)
        /// An lz4 frame announces blocks larger than the receiver takes (`gateway.max_lz4_block`;
        /// objstream's own code).
        public static let compressionBlockSize = Code(.compressionBlockSize)

        /// Every code, in WIRE.md order (for metrics with a fixed label set).
        public static let allCases: [Code] = Wrapped.allCases.map(Code.init)

        /// The `sbr_*` string of the code.
        public var description: String { wrapped.rawValue }
    }

    /// The `sbr_*` code.
    public var code: Code
    /// What was wrong, in words.
    public var message: String
    /// The offset in the (decompressed) stream where the break was found.
    public var offset: Int64
    /// The sender's node id, when known.
    public var senderID: String
    /// The underlying error, if any (a ``WireError`` for a malformed header).
    public var cause: (any Error & Sendable)?

    /// Creates a broken-stream error.
    public init(code: Code, message: String, offset: Int64, senderID: String = "", cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.senderID = senderID
        self.cause = cause
    }

    public var description: String {
        let from = senderID.isEmpty ? "" : " from \(senderID)"
        return "\(code): broken stream\(from) at offset \(offset): \(message)"
    }
}
