import Foundation
import ObjStreamTestSupport
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
    func waitFor(timeout: Duration = .seconds(60), _ condition: ([ReceivedSession]) -> Bool) -> Bool {
        eventually(timeout: timeout) { condition(sessions) }
    }
}
