import ObjStreamWire

/// Called once per object when it is completed: sent (error nil), refused, or failed.
///
/// Arguments: the object's header, the caller's context, and the error.
public typealias SentCallback = @Sendable (ObjectHeader, (any Sendable)?, SendError?) -> Void

/// Called once per abnormal end of a stream (not for `stop()`): the destination id and the error.
public typealias TerminationCallback = @Sendable (String, SendError) -> Void

/// One object to send (`Obj`): header, source of its bytes, caller context and callback.
public struct OutgoingObject: Sendable {
    /// The object's header; `attributes.size` says how many bytes follow (-1: unknown, PDUs only).
    public var header: ObjectHeader
    /// Where the bytes come from; nil for header-only objects.
    public var source: (any ObjectSource)?
    /// Passed back to the callback untouched (`CmplArg`).
    public var context: (any Sendable)?
    /// This object's callback; nil: the stream's.
    public var callback: SentCallback?
    /// The header's encoded length (`hlen`), measured by ``ObjStream/send(_:)`` when it checks
    /// the header, so that the sender thread does not measure it again; 0 until then.
    var encodedHeaderLength = 0

    /// Closes the source and lets it go (the object keeps no open file once it is written or done).
    mutating func closeSource() {
        if let source = source.take() { source.close() }
    }

    /// Creates an object to send.
    /// - Parameters:
    ///   - header: The header; its size must match what `source` yields.
    ///   - source: The bytes; nil for a header-only object.
    ///   - context: Passed back to the callback.
    ///   - callback: Called once when the object is completed; nil: the stream's callback.
    public init(
        header: ObjectHeader, source: (any ObjectSource)? = nil, context: (any Sendable)? = nil,
        callback: SentCallback? = nil
    ) {
        self.header = header
        self.source = source
        self.context = context
        self.callback = callback
    }

    /// A data object of bytes in memory; the header's size is set from them.
    /// - Parameters:
    ///   - header: The header (its size is replaced by `bytes.count`).
    ///   - bytes: The object's bytes.
    ///   - context: Passed back to the callback.
    ///   - callback: Called once when the object is completed.
    /// - Returns: The object.
    public static func bytes(
        _ header: ObjectHeader, _ bytes: [UInt8], context: (any Sendable)? = nil, callback: SentCallback? = nil
    ) -> OutgoingObject {
        var h = header
        h.attributes.size = Int64(bytes.count)
        return OutgoingObject(
            header: h, source: bytes.isEmpty ? nil : BytesSource(bytes), context: context, callback: callback)
    }
}
