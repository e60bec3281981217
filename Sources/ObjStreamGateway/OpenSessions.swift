import ObjStreamWire

/// A count of open stream sessions that one can wait on until it reaches zero.
///
/// Sessions open and close on libmicrohttpd's connection threads, waiters block on theirs.
final class OpenSessions: Sendable {
    private let condition = ConditionVariable()
    private nonisolated(unsafe) var open = 0

    /// The sessions open now.
    var count: Int { condition.withLock { open } }

    /// Counts a session in.
    func enter() { condition.withLock { open += 1 } }

    /// Counts a session out, waking waiters at zero.
    func leave() {
        condition.withLock {
            open -= 1
            if open == 0 { condition.broadcast() }
        }
    }

    /// Blocks until no session is open or `timeout` has passed.
    /// - Parameter timeout: The longest wait.
    /// - Returns: Whether the count reached zero.
    func waitUntilZero(timeout: Duration) -> Bool {
        condition.withLock { condition.wait(for: { open == 0 }, timeout: timeout) }
    }
}
