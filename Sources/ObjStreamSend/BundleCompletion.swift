import ObjStreamWire
import Synchronization

/// The completion of one object a ``StreamBundle`` sent to N destinations, shared by its N
/// copies as their context: the object's callback fires once, after the last copy
/// completed, with the first error and the ids of the destinations whose copy failed.
final class BundleCompletion: Sendable {
    private struct State {
        var remaining: Int
        var error: SendError?
        var failed: [String] = []
    }

    private let state: Mutex<State>
    /// The caller's context, handed back to the callback.
    let context: (any Sendable)?
    /// The object's callback, else the bundle's.
    let callback: SentCallback?

    /// Creates the completion of `count` copies.
    /// - Parameters:
    ///   - count: How many copies complete (at least 1).
    ///   - context: The caller's context.
    ///   - callback: What to call after the last copy.
    init(count: Int, context: (any Sendable)?, callback: SentCallback?) {
        precondition(count > 0)
        state = Mutex(State(remaining: count))
        self.context = context
        self.callback = callback
    }

    /// Records the completion of one copy; after the last, calls the callback.
    /// - Parameters:
    ///   - header: The object's header.
    ///   - destination: The copy's destination.
    ///   - error: The copy's error, nil when it was sent (delivered when confirmed).
    func arrive(_ header: ObjectHeader, destination: String, error: SendError?) {
        let outcome: SendError?? = state.withLock { s in
            if let error {
                if s.error == nil { s.error = error }
                s.failed.append(destination)
            }
            s.remaining -= 1
            precondition(s.remaining >= 0, "object completed more often than it was sent")
            guard s.remaining == 0 else { return .none }
            guard var first = s.error else { return .some(nil) }
            first.failedDestinations = s.failed
            return .some(first)
        }
        guard case .some(let error) = outcome else { return }
        callback?(header, context, error)
    }
}
