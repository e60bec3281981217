import Foundation
import ObjStreamCluster
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamTestSupport
import Synchronization

/// A real gateway on `127.0.0.1` with an ephemeral port, its own metrics registry and a
/// record of every session's end.
final class GatewayHarness: Sendable {
    let endpoints = EndpointRegistry()
    let metrics = MetricsRegistry()
    let gateway: Gateway
    private let summaries = SummaryLog()

    init(
        options: GatewayOptions = GatewayOptions(port: 0), clusterMap: ClusterMap? = nil, replayState: ReplayState? = nil
    ) throws {
        let record = summaries
        gateway = Gateway(
            endpoints: endpoints, options: options, metrics: metrics, log: { _ in },
            onSessionEnd: { summary in record.items.withLock { $0.append(summary) } }, clusterMap: clusterMap,
            replayState: replayState)
        try gateway.start()
    }

    var port: UInt16 { gateway.port }

    /// The sessions that ended so far.
    var ended: [SessionSummary] { summaries.items.withLock { $0 } }

    /// The value of a counter series in the rendered metrics (0 when absent).
    func counter(_ name: String, _ labels: String = "") -> Double {
        ExpositionText.value(of: labels.isEmpty ? name : "\(name){\(labels)}", in: metrics.render()) ?? 0
    }

    /// Sends one request with a complete chunked body and reads the response.
    func put(
        _ trname: String, _ body: [UInt8], chunkSize: Int = 64 * 1024, compressed: Bool = false,
        sessionID: String? = "101"
    ) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: port)
        try client.send(RawHTTPClient.streamHead(trname, sessionID: sessionID, compressed: compressed))
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunkSize, body.count)
            try client.sendChunk(Array(body[offset..<end]))
            offset = end
        }
        try client.endChunked()
        return try client.readResponse()
    }

    func stop() { gateway.stop(grace: .seconds(5)) }
}

/// The session summaries a harness collects.
final class SummaryLog: Sendable {
    let items = Mutex<[SessionSummary]>([])
}
