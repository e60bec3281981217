import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamWire
import Synchronization

/// The real gateway on loopback with one recording endpoint for every name: what
/// the sender's acceptance tests send to.
final class LoopbackGateway: TestReceiver {
    let gateway: Gateway
    private let log = Mutex<[Int: ReceivedSession]>([:])
    private let counter = Atomic(0)

    /// Starts the gateway.
    /// - Parameters:
    ///   - port: The port (0: ephemeral).
    ///   - digests: Whether receivers hash every object's bytes.
    ///   - names: The endpoint names to register.
    init(port: UInt16 = 0, digests: Bool = false, names: [String] = LoopbackGateway.defaultNames) throws {
        let endpoints = EndpointRegistry()
        gateway = Gateway(
            endpoints: endpoints, options: GatewayOptions(port: port), metrics: MetricsRegistry(), log: { _ in })
        for name in names {
            let sink = self
            try endpoints.register(
                name,
                ClosureEndpoint { info in
                    let slot = sink.counter.add(1, ordering: .relaxed).newValue
                    sink.log.withLock {
                        $0[slot] = ReceivedSession(sessionID: info.sessionID, objects: [], dataBytes: 0, complete: false)
                    }
                    return RecordingReceiver(digests: digests) { update in sink.log.withLock { update(&$0[slot]!) } }
                })
        }
        try gateway.start()
    }

    static let defaultNames = ["many", "attrs", "stop", "pdu", "lz4", "idle", "killed", "late"] + (0..<16).map { "c\($0)" }

    func url(_ name: String) -> String { "http://127.0.0.1:\(gateway.port)/v1/objstream/\(name)" }

    var sessions: [ReceivedSession] { log.withLock { l in l.keys.sorted().map { l[$0]! } } }

    func kill() { gateway.stop() }
}
