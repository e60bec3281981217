import ObjStreamSend
import Synchronization

/// Counters shared by the completion callbacks, the progress line and the summary.
final class SendProgress: Sendable {
    /// Objects delivered.
    let objects = Atomic(0)
    /// Bytes of the delivered objects.
    let bytes = Atomic(0)
    /// Objects that failed for good.
    let failures = SendFailures()
    /// Streams that ended with an error (their objects were retried or failed).
    let streamErrors = SendFailures(prefix: "stream failed")

    /// Creates counters at zero.
    init() {}

    /// Counts a delivered object.
    /// - Parameter size: Its size in bytes.
    func delivered(size: Int64) {
        objects.add(1, ordering: .relaxed)
        bytes.add(Int(size), ordering: .relaxed)
    }
}
