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

/// One request of a stream as a receiver saw it.
struct ReceivedSession: Sendable {
    var sessionID: Int64
    var objects: [RawStreamServer.ReceivedObject]
    var dataBytes: Int
    var complete: Bool
    var error: String?
}

/// The kinds of receiver the acceptance tests run against.
enum ReceiverKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case raw, gateway

    var testDescription: String { rawValue }

    /// Starts a receiver.
    /// - Parameters:
    ///   - digests: Whether to hash every object's bytes.
    ///   - port: The port (0: any).
    func make(digests: Bool = false, port: UInt16 = 0) throws -> any TestReceiver {
        switch self {
        case .raw: try RawStreamServer(port: port, digests: digests)
        case .gateway: try LoopbackGateway(port: port, digests: digests)
        }
    }
}

import Testing

extension RawStreamServer: TestReceiver {
    var sessions: [ReceivedSession] {
        requests.map {
            ReceivedSession(
                sessionID: Int64($0.header("Ais-Session-Id") ?? "") ?? -1, objects: $0.objects,
                dataBytes: $0.dataBytes, complete: $0.complete, error: $0.error)
        }
    }
}
