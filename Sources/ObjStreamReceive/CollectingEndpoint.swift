import ObjStreamWire

/// An endpoint that hands each whole object, up to a size cap, to a closure.
///
/// For small objects (requests, responses, metadata): the receiver collects an
/// object's bytes into one reused array and calls `onObject` at its end. An object
/// over the cap ends the stream with ``ReceiveError/Code/objectTooLarge``.
public struct CollectingEndpoint: Endpoint {
    /// The largest object collected, in bytes.
    public let maxObjectSize: Int
    private let onObject: @Sendable (SessionInfo, ObjectHeader, [UInt8]) throws -> Void
    private let onEnd: (@Sendable (SessionInfo, BrokenStreamError?) -> Void)?

    /// Creates the endpoint.
    /// - Parameters:
    ///   - maxObjectSize: The size cap in bytes.
    ///   - onObject: Called with each complete object; what it throws ends the stream.
    ///   - onEnd: Called once at the end of each session.
    public init(
        maxObjectSize: Int,
        onObject: @escaping @Sendable (SessionInfo, ObjectHeader, [UInt8]) throws -> Void,
        onEnd: (@Sendable (SessionInfo, BrokenStreamError?) -> Void)? = nil
    ) {
        self.maxObjectSize = maxObjectSize
        self.onObject = onObject
        self.onEnd = onEnd
    }

    public func makeReceiver(for session: SessionInfo) -> any ObjectReceiver {
        CollectingReceiver(session: session, maxObjectSize: maxObjectSize, onObject: onObject, onEnd: onEnd)
    }
}

/// The receiver of a ``CollectingEndpoint``.
final class CollectingReceiver: ObjectReceiver {
    private let session: SessionInfo
    private let maxObjectSize: Int
    private let onObject: @Sendable (SessionInfo, ObjectHeader, [UInt8]) throws -> Void
    private let onEnd: (@Sendable (SessionInfo, BrokenStreamError?) -> Void)?
    private var header = ObjectHeader()
    private var bytes: [UInt8] = []

    init(
        session: SessionInfo, maxObjectSize: Int,
        onObject: @escaping @Sendable (SessionInfo, ObjectHeader, [UInt8]) throws -> Void,
        onEnd: (@Sendable (SessionInfo, BrokenStreamError?) -> Void)?
    ) {
        self.session = session
        self.maxObjectSize = maxObjectSize
        self.onObject = onObject
        self.onEnd = onEnd
    }

    func receive(header: ObjectHeader) throws {
        if header.attributes.size > Int64(maxObjectSize) {
            throw tooLarge(header, header.attributes.size)
        }
        self.header = header
        bytes.removeAll(keepingCapacity: true)
        if header.attributes.size > 0 { bytes.reserveCapacity(Int(header.attributes.size)) }
    }

    func receive(data: UnsafeRawBufferPointer) throws {
        if bytes.count + data.count > maxObjectSize {
            throw tooLarge(header, Int64(bytes.count + data.count))
        }
        bytes.append(contentsOf: data)
    }

    func endObject() throws {
        try onObject(session, header, bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    func end(error: BrokenStreamError?) { onEnd?(session, error) }

    private func tooLarge(_ header: ObjectHeader, _ size: Int64) -> ReceiveError {
        ReceiveError(
            code: .objectTooLarge,
            message: "object \(header.bucket)/\(header.objectName): \(size) bytes over the \(maxObjectSize)-byte cap")
    }
}
