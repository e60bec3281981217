import Foundation
import ObjStreamMetrics
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// A stream that its users drop without `fin()` or `stop()` is not kept alive by its own
/// threads or the collector: it sends what was queued, ends itself, its threads exit, and
/// it is freed.
@Suite struct DroppedStreamTests {
    /// A stream held weakly, to see it freed.
    final class WeakStream: @unchecked Sendable {
        weak var stream: ObjStream?
    }

    /// Creates a stream, sends ten objects on it, and drops it.
    /// - Returns: The stream, held weakly, and its session id.
    private func sendAndDrop(to server: RawStreamServer, log: CompletionLog, metrics: MetricsRegistry) throws
        -> (WeakStream, Int64)
    {
        let stream = try ObjStream(
            url: server.url("dropped"),
            options: TestObjects.options {
                $0.metrics = metrics
                $0.idleTeardown = .seconds(3600)  // the request stays open until the stream ends
            })
        for i in 0..<10 {
            try stream.send(.bytes(ObjectHeader(objectName: "d\(i)"), [UInt8](repeating: 1, count: 1000), context: i, callback: log.callback))
        }
        let weak = WeakStream()
        weak.stream = stream
        return (weak, stream.sessionID)
    }

    @Test func aStreamDroppedWithoutFinSendsWhatWasQueuedEndsItsRequestAndItsThreadsExit() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let log = CompletionLog()
        let metrics = MetricsRegistry()
        let (weak, sessionID) = try sendAndDrop(to: server, log: log, metrics: metrics)
        #expect(eventually { weak.stream == nil })
        #expect(eventually {
            TestObjects.threadNames().allSatisfy { $0 != "ostx-\(sessionID)" && $0 != "oscq-\(sessionID)" }
        })
        #expect(log.all.map(\.index) == Array(0..<10))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.requests.first?.sawFin == true)
        #expect(server.objects.map(\.header.objectName) == (0..<10).map { "d\($0)" })
        let text = metrics.render()
        #expect(ExpositionText.value(of: #"objstream_tx_terminations_total{reason="end-of-stream"}"#, in: text) == 1, "\(text)")
        #expect(ExpositionText.value(of: "objstream_tx_streams_open", in: text) == 0, "\(text)")
    }

    @Test func aStreamDroppedBeforeItStartedIsFreedAndNoLongerCountsAsOpen() throws {
        let collector = StreamCollector(tick: .milliseconds(50))
        defer { collector.stop() }
        let metrics = MetricsRegistry()
        let weak = WeakStream()
        do {
            let stream = try ObjStream(
                url: "http://127.0.0.1:9/v1/objstream/never", options: TestObjects.options {
                    $0.collector = collector
                    $0.metrics = metrics
                })
            weak.stream = stream
            #expect(collector.streamCount == 1)
        }
        #expect(weak.stream == nil)
        #expect(collector.streamCount == 0)
        #expect(ExpositionText.value(of: "objstream_tx_streams_open", in: metrics.render()) == 0)
    }
}
