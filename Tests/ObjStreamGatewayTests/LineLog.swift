import Synchronization

/// Lines a test collects from a logging closure.
final class LineLog: Sendable {
    let items = Mutex<[String]>([])

    /// The lines so far.
    var lines: [String] { items.withLock { $0 } }
}
