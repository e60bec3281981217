import Synchronization

/// Whether a file store's writes work: unhealthy after ``failureLimit`` write failures in a
/// row (I/O, permission, out of space), healthy again after the next object stored.
///
/// Shared by an endpoint's receivers; a stored object costs one relaxed atomic load.
final class StoreHealth: Sendable {
    /// How many write failures in a row make the store unhealthy.
    static let failureLimit = 3

    private let consecutiveFailures = Atomic<Int>(0)
    private let lastFailure = Mutex("")

    /// Records a failed write.
    /// - Parameter message: What failed, in words.
    func failed(_ message: String) {
        lastFailure.withLock { $0 = message }
        consecutiveFailures.wrappingAdd(1, ordering: .relaxed)
    }

    /// Records a stored object.
    func succeeded() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 { consecutiveFailures.store(0, ordering: .relaxed) }
    }

    /// The health the endpoint reports.
    var health: EndpointHealth {
        let failures = consecutiveFailures.load(ordering: .relaxed)
        guard failures >= Self.failureLimit else { return .healthy }
        return .unhealthy("\(failures) writes failed in a row, the last: \(lastFailure.withLock { $0 })")
    }
}
