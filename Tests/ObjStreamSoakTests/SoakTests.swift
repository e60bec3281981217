import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamSend
import ObjStreamTestSupport
import Synchronization
import Testing

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

    /// `objstream_collector_idle_teardowns_total` of a collector's registry.
    private static func idleTeardowns(_ metrics: MetricsRegistry) -> Double {
        ExpositionText.value(of: "objstream_collector_idle_teardowns_total", in: metrics.render()) ?? 0
    }

    /// The options every soak stream shares: its own collector (100 ms ticks), a private
    /// registry, a 1 s idle teardown and a short queue (so that pauses are idle at once).
    private func baseOptions(collector: StreamCollector) -> StreamOptions {
        var o = StreamOptions()
        o.collector = collector
        o.metrics = MetricsRegistry()
        o.dryRun = false
        o.idleTeardown = SoakSettings.idleTeardown
        o.burst = 32
        return o
    }

    /// Phase 1: steady traffic with pauses longer than the idle teardown. Three objects in
    /// four go to `objstream serve` (its `/metrics` must count every object and byte; its
    /// descriptors, threads and RSS must not grow), one in four to an in-process gateway
    /// that compares every byte with what was sent.
    @Test func steadyTrafficDeliversEveryObjectOnceAndReturnsToBaseline() throws {
        print("soak: seed \(seed); OBJSTREAM_SOAK_SEED=\(seed) replays this run")
        let gateway = try ServeGateway()
        defer { gateway.stop() }
        let verifiers = EndpointRegistry()
        var verifying: [StreamKind: VerifyingEndpoint] = [:]
        for kind in StreamKind.allCases {
            verifying[kind] = VerifyingEndpoint()
            try verifiers.register(kind.endpoint, verifying[kind]!)
        }
        let verifier = Gateway(endpoints: verifiers, metrics: MetricsRegistry(), log: { _ in })
        try verifier.start()
        defer { _ = verifier.stop() }
        let receiverBaseline = try #require(gateway.usage)
        let descriptorBaseline = SenderResources.descriptorCount()
        // One collector per kind, each with its own registry: a pause waits until its kind's two
        // streams were torn down idle, as its collector counts.
        var collectors: [StreamKind: (collector: StreamCollector, metrics: MetricsRegistry)] = [:]
        for kind in StreamKind.allCases {
            let metrics = MetricsRegistry()
            collectors[kind] = (StreamCollector(tick: .milliseconds(100), metrics: metrics), metrics)
        }
        defer { for entry in collectors.values { entry.collector.stop() } }
        let terminations = Atomic(0)
        let sendErrors = Atomic(0)
        var ledgers: [StreamKind: CompletionLedger] = [:]
        var streams: [StreamKind: ObjStream] = [:]
        var twinLedgers: [StreamKind: CompletionLedger] = [:]
        var twins: [StreamKind: ObjStream] = [:]
        for kind in StreamKind.allCases {
            var options = kind.options(baseOptions(collector: collectors[kind]!.collector))
            options.terminationCallback = { _, _ in terminations.add(1, ordering: .relaxed) }
            ledgers[kind] = CompletionLedger()
            options.sentCallback = ledgers[kind]!.callback
            streams[kind] = try ObjStream(url: gateway.url(kind), destinationID: "soak-rx", options: options)
            twinLedgers[kind] = CompletionLedger()
            options.sentCallback = twinLedgers[kind]!.callback
            twins[kind] = try ObjStream(
                url: "http://127.0.0.1:\(verifier.port)/v1/objstream/\(kind.endpoint)", destinationID: "soak-verifier",
                options: options)
        }
        let allStreams = Array(streams.values) + Array(twins.values)
        let sessionIDs = Set(allStreams.map(\.sessionID))
        let (ledgersByKind, streamsByKind, twinLedgersByKind, twinsByKind, seed) = (ledgers, streams, twinLedgers, twins, seed)
        let collectorsByKind = collectors

        let start = ContinuousClock.now
        let deadline = start + settings.steady
        let pauseEvery = min(settings.steady * 0.4, .seconds(30))
        let traffic = TrafficThreads.start { kind in
            var rng = SplitMix64(seed: seed &+ kind.number)
            var nextPause = ContinuousClock.now + pauseEvery * Double.random(in: 0.5...1, using: &rng)
            var index = 0
            var paused = false
            var sentSincePause = 0
            // At least one pause per kind, however slow the machine, and then four objects (one of
            // them to the twin), so that both streams open a second request: the loop goes on
            // past the deadline until then.
            while ContinuousClock.now < deadline || !paused || sentSincePause < 4 {
                let now = ContinuousClock.now
                if (now >= nextPause && now < deadline) || (!paused && now >= deadline) {
                    // The pause lasts until both streams of the kind were torn down idle.
                    let teardowns = Self.idleTeardowns(collectorsByKind[kind]!.metrics)
                    _ = eventually(timeout: .seconds(30)) { Self.idleTeardowns(collectorsByKind[kind]!.metrics) >= teardowns + 2 }
                    paused = true
                    sentSincePause = 0
                    nextPause = ContinuousClock.now + pauseEvery * Double.random(in: 0.5...1.5, using: &rng)
                    continue
                }
                let verified = index % 4 == 3
                let stream = verified ? twinsByKind[kind]! : streamsByKind[kind]!
                let ledger = verified ? twinLedgersByKind[kind]! : ledgersByKind[kind]!
                do {
                    try stream.send(kind.object(index, ledger: ledger, using: &rng))
                } catch {
                    sendErrors.add(1, ordering: .relaxed)
                }
                index += 1
                sentSincePause += 1
            }
        }
        TrafficThreads.sleep(until: start + settings.steady / 4)
        let receiverAtQuarter = try #require(gateway.usage)
        // The probes below see what they look for: every stream's two threads, and open requests.
        #expect(SenderResources.streamThreads(of: sessionIDs).count == 2 * allStreams.count,
            "\(SenderResources.streamThreads(of: sessionIDs).sorted()) of \(sessionIDs.sorted()), all \(SenderResources.threadNames().sorted())")
        #expect(SenderResources.sockets(toPort: gateway.port) + SenderResources.sockets(toPort: verifier.port) > 0)
        traffic.wait()
        for stream in allStreams { stream.fin() }
        let elapsed = start.duration(to: .now)

        // Every object completed exactly once, without an error, its source closed once.
        var objects = 0
        var bytes: Int64 = 0
        let metrics = try gateway.scrape()
        for kind in StreamKind.allCases {
            for (stream, ledger) in [(streams[kind]!, ledgers[kind]!), (twins[kind]!, twinLedgers[kind]!)] {
                let t = ledger.totals
                #expect(t.registered > 0, "\(stream): nothing sent")
                #expect(t.delivered == t.registered && t.failed == 0, "\(stream): \(t)")
                #expect(t.duplicates == 0 && t.uncompleted == 0 && t.badCloses == 0, "\(stream): \(t)")
                #expect(stream.terminationReason?.name == "end-of-stream", "\(stream): \(String(describing: stream.terminationReason))")
                #expect(stream.objectsSent == t.delivered && stream.bytesSent == t.deliveredBytes, "\(stream)")
                // The pauses ended requests (idle teardown) and the stream reopened.
                #expect(stream.requestCount >= 2, "\(stream): \(stream.requestCount) request(s)")
                objects += t.delivered
                bytes += t.deliveredBytes
            }
            // The receiver counted what was sent, object for object and byte for byte.
            let sent = ledgers[kind]!.totals
            let label = "{endpoint=\"\(kind.endpoint)\"}"
            #expect(metrics["objstream_rx_objects_total\(label)"] == Double(sent.delivered), "\(kind) objects")
            #expect(metrics["objstream_rx_bytes_total\(label)"] == Double(sent.deliveredBytes), "\(kind) bytes")
            // The verifier got every byte as sent.
            let twinSent = twinLedgers[kind]!.totals
            let got = verifying[kind]!.received
            #expect(got == VerifyingEndpoint.Totals(objects: twinSent.delivered, bytes: twinSent.deliveredBytes), "\(kind): \(got)")
        }
        #expect(sendErrors.load(ordering: .relaxed) == 0)
        #expect(terminations.load(ordering: .relaxed) == 0)
        #expect(metrics.filter { $0.key.hasPrefix("objstream_rx_broken_streams_total") }.values.reduce(0, +) == 0)

        // The sender's threads and sockets are gone; the receiver is back to its baseline.
        #expect(eventually { SenderResources.streamThreads(of: sessionIDs).isEmpty },
            "\(SenderResources.streamThreads(of: sessionIDs))")
        #expect(eventually { SenderResources.sockets(toPort: gateway.port) == 0 })
        #expect(eventually { SenderResources.sockets(toPort: verifier.port) == 0 })
        if settings.isLongRun {
            // Alone in the process (make soak filters this suite), all descriptors count.
            #expect(eventually { SenderResources.descriptorCount() <= descriptorBaseline },
                "\(SenderResources.descriptorCount()) descriptors, \(descriptorBaseline) before")
        }
        var receiverEnd = receiverBaseline
        #expect(eventually {
            receiverEnd = gateway.usage ?? receiverEnd
            return receiverEnd.descriptors <= receiverBaseline.descriptors && receiverEnd.threads <= receiverBaseline.threads
        }, "receiver: baseline \(receiverBaseline), now \(receiverEnd)")
        let slack = receiverAtQuarter.residentBytes / 10 + (8 << 20)
        #expect(receiverEnd.residentBytes <= receiverAtQuarter.residentBytes + slack,
            "receiver RSS grew: \(receiverAtQuarter) after a quarter, \(receiverEnd) at the end")

        let requests = allStreams.reduce(0) { $0 + $1.requestCount }
        print(
            "soak steady: seed \(seed), \(elapsed.seconds.formatted2)s, \(allStreams.count) streams, \(requests) requests, "
                + "\(objects) objects, \(bytes) bytes, \((Double(bytes) / elapsed.seconds / 1e9).formatted3) GB/s, "
                + "restarts 0, receiver RSS \(receiverAtQuarter.residentBytes >> 20) -> \(receiverEnd.residentBytes >> 20) MiB")
    }

    /// Phase 2: the gateway is killed with SIGKILL and restarted on the same port while the
    /// four kinds send; a stream that terminates is replaced by a new one. Every object must
    /// complete exactly once (delivered or failed), every stream must terminate, call its
    /// termination callback once if it failed and never otherwise, and leave no thread.
    @Test func killedAndRestartedGatewayLeavesNoObjectUncompletedOrCompletedTwice() throws {
        print("soak: seed \(seed); OBJSTREAM_SOAK_SEED=\(seed) replays this run")
        let gateway = try ServeGateway()
        defer { gateway.stop() }
        let descriptorBaseline = SenderResources.descriptorCount()
        let collector = StreamCollector(tick: .milliseconds(100), metrics: MetricsRegistry())
        defer { collector.stop() }
        let log = TerminationLog()
        var ledgers: [StreamKind: CompletionLedger] = [:]
        for kind in StreamKind.allCases { ledgers[kind] = CompletionLedger() }
        var base = baseOptions(collector: collector)
        base.terminationCallback = log.callback
        base.connectTimeout = .seconds(1)
        base.retryFirstSleep = .milliseconds(50)
        base.retryCap = .milliseconds(500)
        base.retryWindow = .seconds(10)
        base.responseTimeout = .seconds(10)
        let (ledgersByKind, seed, shared) = (ledgers, seed, base)
        let streamNumber = Atomic(0)
        @Sendable func newStream(_ kind: StreamKind) throws -> ObjStream {
            var options = kind.options(shared)
            options.sentCallback = ledgersByKind[kind]!.callback
            let n = streamNumber.add(1, ordering: .relaxed).newValue
            let stream = try ObjStream(url: gateway.url(kind), destinationID: "rx-\(kind.rawValue)-\(n)", options: options)
            log.add(stream)
            return stream
        }

        let start = ContinuousClock.now
        let sending = Atomic(true)
        let setupErrors = Atomic(0)
        let traffic = TrafficThreads.start { kind in
            var rng = SplitMix64(seed: ~seed &+ kind.number)
            let ledger = ledgersByKind[kind]!
            var index = 0
            while sending.load(ordering: .relaxed) {
                guard let stream = try? newStream(kind) else {
                    setupErrors.add(1, ordering: .relaxed)
                    return
                }
                // Send until the stream terminates (the ledger counts refusals too), then replace it.
                while sending.load(ordering: .relaxed), !stream.isTerminated {
                    try? stream.send(kind.object(index, ledger: ledger, using: &rng))
                    index += 1
                }
            }
        }
        // A fixed number of kills, each after an interval of traffic, and traffic after the last.
        var restarts = 0
        var restartErrors: [String] = []
        for _ in 0..<settings.restarts {
            TrafficThreads.sleep(until: ContinuousClock.now + settings.restartInterval)
            do {
                try gateway.killAndRestart()
                restarts += 1
            } catch {
                restartErrors.append("\(error)")
                break
            }
        }
        TrafficThreads.sleep(until: ContinuousClock.now + settings.restartInterval)
        sending.store(false, ordering: .relaxed)
        traffic.wait()
        let streams = log.all
        for stream in streams where !stream.isTerminated { stream.fin() }
        for stream in streams {
            #expect(stream.waitUntilCompleted(timeout: .seconds(120)), "\(stream) did not complete")
        }
        let elapsed = start.duration(to: .now)
        #expect(restartErrors.isEmpty, "\(restartErrors)")
        #expect(setupErrors.load(ordering: .relaxed) == 0)
        #expect(restarts == settings.restarts)

        // Every object completed exactly once: delivered, or with an error.
        var delivered = 0
        var failed = 0
        var bytes: Int64 = 0
        var failures: [String: Int] = [:]
        for kind in StreamKind.allCases {
            let t = ledgers[kind]!.totals
            #expect(t.registered > 0, "\(kind): nothing sent")
            #expect(t.duplicates == 0 && t.uncompleted == 0 && t.badCloses == 0, "\(kind): \(t)")
            #expect(t.delivered + t.failed == t.registered, "\(kind): \(t)")
            delivered += t.delivered
            failed += t.failed
            bytes += t.deliveredBytes
            failures.merge(t.failuresByCode, uniquingKeysWith: +)
        }

        // Every stream terminated; those that failed called their termination callback exactly once, the others never.
        var byError = 0
        var finished = 0
        for stream in streams {
            let reason = stream.terminationReason
            #expect(reason != nil, "\(stream) still running")
            let calls = log.callCount(stream)
            if reason?.error != nil {
                byError += 1
                #expect(calls == 1, "\(stream) ended with \(String(describing: reason)) and called back \(calls) times")
            } else {
                #expect(calls == 0, "\(stream) ended with \(String(describing: reason)) and called back \(calls) times")
                if reason?.name == "end-of-stream" { finished += 1 }
            }
        }
        #expect(byError >= 1, "no stream was broken by \(restarts) kills")
        #expect(finished >= 1, "no stream ended cleanly after the last restart")
        #expect(delivered > 0)

        let sessionIDs = Set(streams.map(\.sessionID))
        #expect(eventually { SenderResources.streamThreads(of: sessionIDs).isEmpty },
            "\(SenderResources.streamThreads(of: sessionIDs))")
        #expect(eventually { SenderResources.sockets(toPort: gateway.port) == 0 })
        if settings.isLongRun {
            #expect(eventually { SenderResources.descriptorCount() <= descriptorBaseline },
                "\(SenderResources.descriptorCount()) descriptors, \(descriptorBaseline) before")
        }

        print(
            "soak chaos: seed \(seed), \(elapsed.seconds.formatted2)s, \(streams.count) streams (\(byError) broken), "
                + "\(delivered + failed) objects (\(delivered) delivered, \(failed) failed: \(failures)), \(bytes) bytes, "
                + "\((Double(bytes) / elapsed.seconds / 1e9).formatted3) GB/s, restarts \(restarts)")
    }
}
