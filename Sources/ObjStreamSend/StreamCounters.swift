import Synchronization

/// Per-stream counters shared by the sender thread, the collector and readers.
final class StreamCounters: Sendable {
    let objects = Atomic(0)
    let bytes = Atomic<Int64>(0)
    let requests = Atomic(0)
    /// ``objects`` and ``bytes`` when the current (or last) request started: what it carried is
    /// the difference, so the sender does not count every object twice.
    let requestStartObjects = Atomic(0)
    let requestStartBytes = Atomic<Int64>(0)
    let offset = Atomic<Int64>(0)
    let queueFull = Atomic(0)
    /// Set by the sender for every object, cleared by the collector's tick.
    let activity = Atomic(false)
    /// Whether a request is open (the collector only tears down open requests).
    let requestOpen = Atomic(false)
}
