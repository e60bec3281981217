import Foundation
import ObjStreamWire

/// A receiver the sender's tests run against: the raw socket server, or the real
/// in-process gateway.
protocol TestReceiver: Sendable {
    /// `http://127.0.0.1:port/v1/objstream/<name>`.
    func url(_ name: String) -> String
    /// Every request (session) seen so far, in order of arrival.
    var sessions: [ReceivedSession] { get }
    /// Cuts every connection and stops listening.
    func kill()
}

extension TestReceiver {
    /// All objects of all sessions, in order.
    var objects: [RawStreamServer.ReceivedObject] { sessions.flatMap(\.objects) }

    /// Polls until `condition` holds for the sessions.
    func waitFor(timeout: Duration = .seconds(20), _ condition: ([ReceivedSession]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(sessions) { return true }
            usleep(5_000)
        }
        return condition(sessions)
    }
}
