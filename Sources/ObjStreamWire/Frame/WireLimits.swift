/// Sizes fixed by the wire format.
public enum WireLimits {
    /// The largest object header a receiver accepts (128 KiB).
    public static let maxHeaderSize = 128 * 1024
    /// The smallest configurable object header buffer.
    public static let minHeaderSize = 512
    /// The default object header buffer of a receiver, and the default limit of a sender.
    public static let defaultHeaderSize = 4 * 1024
    /// The largest PDU, its own 16-byte header included (128 KiB).
    public static let maxPDUSize = 128 * 1024
    /// The default PDU size of a sender, its own header included (32 KiB).
    public static let defaultPDUSize = 32 * 1024
    /// The largest PDU payload a receiver accepts.
    public static let maxPDUPayload = maxPDUSize - ProtoHeader.size
    /// The largest length of a string field.
    public static let maxStringLength = Int(UInt16.max)
    /// The object size that means "unknown" (the object is sent as PDUs).
    public static let unknownSize: Int64 = -1
}
