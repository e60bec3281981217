import Synchronization

/// The reference-counted completion of one object sent on N streams: the callback
/// fires once, after the last of the N completions, with the first error seen.
final class SharedCompletion: Sendable {
    private let state: Mutex<(remaining: Int, error: SendError?)>
    let callback: SentCallback?

    /// Creates a counter of `count` completions.
    init(count: Int, callback: SentCallback?) {
        precondition(count > 0)
        state = Mutex((count, nil))
        self.callback = callback
    }

    /// Records one completion.
    /// - Parameter error: That stream's error, if any.
    /// - Returns: Whether this was the last one, and the first error of all.
    func arrive(_ error: SendError?) -> (last: Bool, error: SendError?) {
        state.withLock { s in
            if s.error == nil { s.error = error }
            s.remaining -= 1
            precondition(s.remaining >= 0, "object completed more often than it was sent")
            return (s.remaining == 0, s.error)
        }
    }
}
