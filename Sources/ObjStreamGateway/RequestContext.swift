import ObjStreamReceive

/// The state of one HTTP request, kept in libmicrohttpd's `*con_cls` through `Unmanaged`.
///
/// Used only on the request's connection thread; released in the completed callback.
final class RequestContext {
    /// What the request is.
    enum Kind {
        /// A stream session being decoded.
        case stream(StreamSession)
        /// A request for an already-closed endpoint: the body is read and dropped.
        case drain
    }

    let kind: Kind
    /// Body bytes dropped after the session broke.
    var drainedAfterFailure = 0
    /// A compressed stream's share of the lz4 memory budget, given back with the context.
    let lz4Memory: LZ4MemoryReservation?

    init(_ kind: Kind, lz4Memory: LZ4MemoryReservation? = nil) {
        self.kind = kind
        self.lz4Memory = lz4Memory
    }
}
