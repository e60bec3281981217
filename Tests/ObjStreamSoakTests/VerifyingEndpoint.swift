import ObjStreamReceive
import Synchronization

/// An in-process endpoint that checks every byte it receives against the
/// ``PayloadPool`` window its header names (`soak-offset`, `soak-size` metadata).
final class VerifyingEndpoint: Endpoint {
    /// What the endpoint received over all its ended sessions.
    struct Totals: Sendable, Equatable {
        /// Objects received whole.
        var objects = 0
        /// Their data bytes.
        var bytes: Int64 = 0
        /// Objects whose bytes differ from their pool window.
        var corrupted = 0
        /// Objects with more or fewer bytes than sent.
        var wrongSize = 0
        /// Data objects without the soak metadata.
        var unlabelled = 0
        /// Sessions that ended broken.
        var brokenSessions = 0
    }

    private let totals = Mutex(Totals())

    /// The totals of all ended sessions.
    var received: Totals { totals.withLock { $0 } }

    func makeReceiver(for session: SessionInfo) -> any ObjectReceiver { VerifyingReceiver(endpoint: self) }

    /// Adds one session's counts.
    /// - Parameter session: The session's totals.
    func add(_ session: Totals) {
        totals.withLock { t in
            t.objects += session.objects
            t.bytes += session.bytes
            t.corrupted += session.corrupted
            t.wrongSize += session.wrongSize
            t.unlabelled += session.unlabelled
            t.brokenSessions += session.brokenSessions
        }
    }
}
