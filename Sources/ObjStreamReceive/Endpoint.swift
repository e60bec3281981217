/// A named receive endpoint: makes one ``ObjectReceiver`` per stream session.
public protocol Endpoint: Sendable {
    /// Makes the receiver for a new session (one HTTP request of a stream).
    /// - Parameter session: Who sends, on which endpoint, with which session id.
    /// - Returns: The receiver that gets the session's objects.
    func makeReceiver(for session: SessionInfo) -> any ObjectReceiver
}
