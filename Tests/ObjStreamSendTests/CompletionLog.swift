import ObjStreamSend
import Synchronization

/// Records completions: which object, in which order, with which error.
final class CompletionLog: Sendable {
    private let entries = Mutex<[(Int, SendError?)]>([])

    /// A callback that records the object's context (an `Int`).
    var callback: SentCallback {
        { [self] _, context, error in
            entries.withLock { $0.append((context as! Int, error)) }
        }
    }

    var all: [(index: Int, error: SendError?)] { entries.withLock { $0.map { ($0.0, $0.1) } } }
    var count: Int { entries.withLock { $0.count } }
}
