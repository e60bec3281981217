/// One request of a stream as a receiver saw it.
struct ReceivedSession: Sendable {
    var sessionID: Int64
    var objects: [RawStreamServer.ReceivedObject]
    var dataBytes: Int
    var complete: Bool
    var error: String?
}
