import ObjStreamWire

/// What an endpoint does with one stream session: push-style callbacks, in stream order.
///
/// A receiver serves one request of one stream and is called on one thread (the
/// connection's), so it need not be `Sendable`. For each object it gets
/// ``receive(header:)``, then zero or more ``receive(data:)`` views, then
/// ``endObject()``; the end-of-stream marker gives no callback. At the end of the
/// request it gets ``end(error:)`` exactly once.
///
/// A receiver that blocks slows its own TCP sender (back-pressure, no buffering);
/// one that throws ends its stream: the request is answered with a `handler` error,
/// and ``end(error:)`` still follows, with the thrown error as the break's `cause`.
public protocol ObjectReceiver: AnyObject {
    /// Called for each object, in order, with its decoded header.
    /// - Parameter header: The object's header (control objects included).
    func receive(header: ObjectHeader) throws

    /// Called with the next bytes of the current object's data.
    /// - Parameter data: A view into the received chunk, valid only during the call; copy what you keep.
    func receive(data: UnsafeRawBufferPointer) throws

    /// Called when the current object's data is complete.
    func endObject() throws

    /// Called once when the request ends.
    /// - Parameter error: `nil` for a clean end, else why the stream broke.
    func end(error: BrokenStreamError?)
}
