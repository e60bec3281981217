/// The header of one object on a stream (`ObjHdr`).
public struct ObjectHeader: Hashable, Sendable {
    /// The sender node's id (`SID`).
    public var senderID: String
    /// What the receiver is to do with the object.
    public var opcode: Opcode
    /// The object's bucket.
    public var bucket: Bucket
    /// The object's name within its bucket.
    public var objectName: String
    /// Opaque bytes for the application.
    @EmptyAsNil public var opaque: [UInt8]
    /// Demultiplexing key for shared data movers.
    public var demux: String
    /// Size, access time, checksum, version and custom metadata.
    public var attributes: ObjectAttributes
    /// The wire bytes of string fields whose bytes are not valid UTF-8; the field's `String`
    /// property then holds the repaired decoding (invalid bytes as U+FFFD). Empty in the usual
    /// case, at no cost.
    ///
    /// A field's bytes here count (for ``bytes(of:)`` and the encoder) only while their repaired
    /// decoding is still the field's `String`, byte for byte: assigning another string to the
    /// property wins over them. Set them with ``setBytes(_:of:)``; equality and hashing include them.
    @EmptyAsNil public var undecodedStrings = [HeaderStringField: [UInt8]]()

    /// Creates an object header.
    public init(
        senderID: String = "",
        opcode: Opcode = .data,
        bucket: Bucket = Bucket(name: "", provider: ""),
        objectName: String = "",
        opaque: [UInt8] = [],
        demux: String = "",
        attributes: ObjectAttributes = ObjectAttributes()
    ) {
        self.senderID = senderID
        self.opcode = opcode
        self.bucket = bucket
        self.objectName = objectName
        self.opaque = opaque
        self.demux = demux
        self.attributes = attributes
    }

    /// Whether no data follows the header (size 0).
    public var isHeaderOnly: Bool { attributes.size == 0 }

    /// Whether the header is a control object (opcode at or above ``Opcode/done``).
    public var isControl: Bool { opcode.isControl }

    /// The header of the end-of-stream marker that `fin()` sends.
    public static func finMarker(senderID: String = "") -> ObjectHeader {
        ObjectHeader(senderID: senderID, opcode: .fin)
    }
}
