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
    public var opaque: [UInt8]
    /// Demultiplexing key for shared data movers.
    public var demux: String
    /// Size, access time, checksum, version and custom metadata.
    public var attributes: ObjectAttributes

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
