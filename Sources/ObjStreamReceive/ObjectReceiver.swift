import ObjStreamWire

/// What an endpoint does with one stream session: push-style callbacks, in stream order.
///
/// A receiver serves one request of one stream and is called on one thread (the
/// connection's), so it need not be `Sendable`. For each object it gets
/// ``receive(header:)``, then zero or more ``receive(data:)`` views, then
/// ``endObject()``; the end-of-stream marker gives no callback. At the end of the
/// request it gets ``end(error:)`` exactly once.
///
/// A receiver that blocks slows its own TCP sender (back-pressure, no buffering).
/// One that throws an ``ObjectRefusal`` refuses that object only: it gets no more calls
/// for it, and the stream goes on. Any other error ends the stream: the request is
/// answered with a `handler` error (``ReceiveError/Code/storeFull``: `507`), and
/// ``end(error:)`` still follows, with the thrown error as the break's `cause`.
public protocol ObjectReceiver: AnyObject {
    /// Called for each object, in order, with its decoded header.
    /// - Parameter header: The object's header (control objects included).
    func receive(header: ObjectHeader) throws

    /// Called with the next bytes of the current object's data.
    /// - Parameter data: A view into the received chunk, valid only during the call; copy what you keep.
    func receive(data: UnsafeRawBufferPointer) throws

    /// Called when the current object's data is complete.
    func endObject() throws

    /// Called when the request body ended clean, before the receiver's answer: makes what
    /// was received durable (the file store's `store_sync: request`). Throwing fails the
    /// request as a receiver error. The default does nothing.
    func commit() throws

    /// Called once when the request ends.
    /// - Parameter error: `nil` for a clean end, else why the stream broke.
    func end(error: BrokenStreamError?)
}

extension ObjectReceiver {
    public func commit() throws {}
}
