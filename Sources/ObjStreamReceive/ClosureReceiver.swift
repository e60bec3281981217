import ObjStreamWire

/// A receiver made of closures, each optional (a missing one ignores its event).
public final class ClosureReceiver: ObjectReceiver {
    private let onHeader: ((ObjectHeader) throws -> Void)?
    private let onData: ((UnsafeRawBufferPointer) throws -> Void)?
    private let onEndObject: (() throws -> Void)?
    private let onEnd: ((BrokenStreamError?) -> Void)?

    /// Creates the receiver.
    /// - Parameters:
    ///   - header: Called with each object's header.
    ///   - data: Called with each view of object data (valid during the call only).
    ///   - endObject: Called at the end of each object.
    ///   - end: Called once at the end of the request.
    public init(
        header: ((ObjectHeader) throws -> Void)? = nil,
        data: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
        endObject: (() throws -> Void)? = nil,
        end: ((BrokenStreamError?) -> Void)? = nil
    ) {
        self.onHeader = header
        self.onData = data
        self.onEndObject = endObject
        self.onEnd = end
    }

    public func receive(header: ObjectHeader) throws { try onHeader?(header) }
    public func receive(data: UnsafeRawBufferPointer) throws { try onData?(data) }
    public func endObject() throws { try onEndObject?() }
    public func end(error: BrokenStreamError?) { onEnd?(error) }
}
