import Foundation
import ObjStreamMetrics
import ObjStreamSend
import ObjStreamTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The soak: four streams (plain, 32 KiB PDUs with unsized objects, lz4, header-only
/// mixed in) send random objects of 0..4 MiB to a real `objstream serve` process, first
/// steadily with idle pauses, then while the gateway is killed and restarted.
///
/// `make test` runs it for 6 s; `make soak` for `OBJSTREAM_SOAK_SECONDS` (600).
/// `OBJSTREAM_SOAK_SEED` replays a run.
@Suite(.serialized) struct SoakTests {
    private let settings = SoakSettings.current
    private let seed: UInt64 = ProcessInfo.processInfo.environment["OBJSTREAM_SOAK_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 1...UInt64.max)

    private func baseOptions(collector: StreamCollector) -> StreamOptions {
        var o = StreamOptions()
        o.collector = collector
        o.metrics = MetricsRegistry()
        o.dryRun = false
        o.idleTeardown = SoakSettings.idleTeardown
        o.burst = 256
        return o
    }

    @Test func steadyTrafficDeliversEveryObjectOnceAndReturnsToBaseline() throws {
        let gateway = try ServeGateway()
        defer { gateway.stop() }
        let receiverBaseline = try #require(gateway.usage)
        let descriptorBaseline = SenderResources.descriptorCount()
        let collector = StreamCollector(tick: .milliseconds(100), metrics: MetricsRegistry())
        defer { collector.stop() }
        let terminations = Atomic(0)
        let sendErrors = Atomic(0)
        var ledgers: [StreamKind: CompletionLedger] = [:]
        var streams: [StreamKind: ObjStream] = [:]
        for kind in StreamKind.allCases {
            let ledger = CompletionLedger()
            var options = kind.options(baseOptions(collector: collector))
            options.sentCallback = ledger.callback
            options.terminationCallback = { _, _ in terminations.add(1, ordering: .relaxed) }
            ledgers[kind] = ledger
            streams[kind] = try ObjStream(url: gateway.url(kind), destinationID: "soak-rx", options: options)
        }
        let sessionIDs = Set(streams.values.map(\.sessionID))
        let (ledgersByKind, streamsByKind, seed) = (ledgers, streams, seed)

        let start = ContinuousClock.now
        let deadline = start + settings.steady
        let pauseEvery = min(settings.steady * 0.4, .seconds(30))
        let traffic = TrafficThreads.start { kind in
            var rng = SplitMix64(seed: seed &+ UInt64(kind.hashValue & 0xFFFF))
            let stream = streamsByKind[kind]!
            let ledger = ledgersByKind[kind]!
            var nextPause = ContinuousClock.now + pauseEvery * Double.random(in: 0.5...1, using: &rng)
            var index = 0
            while ContinuousClock.now < deadline {
                if ContinuousClock.now >= nextPause, ContinuousClock.now + SoakSettings.pause < deadline {
                    TrafficThreads.sleep(until: ContinuousClock.now + SoakSettings.pause)
                    nextPause = ContinuousClock.now + pauseEvery * Double.random(in: 0.5...1.5, using: &rng)
                    continue
                }
                do {
                    try stream.send(kind.object(index, ledger: ledger, using: &rng))
                } catch {
                    sendErrors.add(1, ordering: .relaxed)
                }
                index += 1
            }
        }
        TrafficThreads.sleep(until: start + settings.steady / 4)
        let receiverAtQuarter = try #require(gateway.usage)
        traffic.wait()
        for stream in streams.values { stream.fin() }
        let elapsed = start.duration(to: .now)

        // Every object completed exactly once, without an error, its source closed once.
        var objects = 0
        var bytes: Int64 = 0
        let metrics = try gateway.scrape()
        for kind in StreamKind.allCases {
            let t = ledgers[kind]!.totals
            let stream = streams[kind]!
            #expect(t.registered > 0, "\(kind): nothing sent")
            #expect(t.delivered == t.registered && t.failed == 0, "\(kind): \(t)")
            #expect(t.duplicates == 0 && t.uncompleted == 0 && t.badCloses == 0, "\(kind): \(t)")
            #expect(stream.terminationReason?.name == "end-of-stream", "\(kind): \(String(describing: stream.terminationReason))")
            #expect(stream.objectsSent == t.delivered && stream.bytesSent == t.deliveredBytes, "\(kind)")
            // The receiver counted what was sent, object for object and byte for byte.
            let label = "{endpoint=\"\(kind.endpoint)\"}"
            #expect(metrics["objstream_rx_objects_total\(label)"] == Double(t.delivered), "\(kind) objects")
            #expect(metrics["objstream_rx_bytes_total\(label)"] == Double(t.deliveredBytes), "\(kind) bytes")
            // The pauses ended requests (idle teardown) and the stream reopened.
            #expect(stream.requestCount >= 2, "\(kind): \(stream.requestCount) request(s)")
            objects += t.delivered
            bytes += t.deliveredBytes
        }
        #expect(sendErrors.load(ordering: .relaxed) == 0)
        #expect(terminations.load(ordering: .relaxed) == 0)
        #expect(metrics.filter { $0.key.hasPrefix("objstream_rx_broken_streams_total") }.values.reduce(0, +) == 0)

        // The sender's threads and sockets are gone; the receiver is back to its baseline.
        #expect(SenderResources.eventually { SenderResources.streamThreads(of: sessionIDs).isEmpty },
            "\(SenderResources.streamThreads(of: sessionIDs))")
        #expect(SenderResources.eventually { SenderResources.sockets(toPort: gateway.port) == 0 })
        if settings.isLongRun {
            // Alone in the process (make soak filters this suite), all descriptors count.
            #expect(SenderResources.eventually { SenderResources.descriptorCount() <= descriptorBaseline })
        }
        var receiverEnd = receiverBaseline
        #expect(SenderResources.eventually {
            receiverEnd = gateway.usage ?? receiverEnd
            return receiverEnd.descriptors <= receiverBaseline.descriptors && receiverEnd.threads <= receiverBaseline.threads
        }, "receiver: baseline \(receiverBaseline), now \(receiverEnd)")
        let slack = receiverAtQuarter.residentBytes / 10 + (8 << 20)
        #expect(receiverEnd.residentBytes <= receiverAtQuarter.residentBytes + slack,
            "receiver RSS grew: \(receiverAtQuarter) after a quarter, \(receiverEnd) at the end")

        let requests = streams.values.reduce(0) { $0 + $1.requestCount }
        print(
            "soak steady: seed \(seed), \(elapsed.seconds.formatted2)s, 4 streams, \(requests) requests, \(objects) objects, "
                + "\(bytes) bytes, \((Double(bytes) / elapsed.seconds / 1e9).formatted3) GB/s, restarts 0, receiver "
                + "\(receiverAtQuarter.residentBytes >> 20) -> \(receiverEnd.residentBytes >> 20) MiB RSS")
    }
}

extension Double {
    var formatted2: String { String(format: "%.2f", self) }
    var formatted3: String { String(format: "%.3f", self) }
}
