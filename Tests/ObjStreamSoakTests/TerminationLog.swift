import ObjStreamSend
import Synchronization

/// Every stream of the chaos phase, and how often each called its termination callback.
final class TerminationLog: Sendable {
    private let streams = Mutex<[ObjStream]>([])
    private let calls = Mutex<[String: Int]>([:])

    /// The termination callback to give every stream (keyed by its unique destination id).
    var callback: TerminationCallback {
        { [self] destination, _ in calls.withLock { $0[destination, default: 0] += 1 } }
    }

    /// Records a new stream.
    /// - Parameter stream: The stream (its destination id must be unique).
    func add(_ stream: ObjStream) { streams.withLock { $0.append(stream) } }

    /// Every stream recorded.
    var all: [ObjStream] { streams.withLock { $0 } }

    /// How often a stream called its termination callback.
    /// - Parameter stream: The stream.
    /// - Returns: The number of calls.
    func callCount(_ stream: ObjStream) -> Int { calls.withLock { $0[stream.destinationID] ?? 0 } }
}
