import Foundation
import ObjStreamMetrics
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// The promises of BEHAVIOR.md "Sending" that are not about volume or failures.
@Suite struct StreamBehaviourTests {
    @Test func refusedObjectsAreCompletedOnceWithTheirError() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("refuse"), options: TestObjects.options { $0.maxHeaderSize = 512 })
        let log = CompletionLog()
        func attempt(_ i: Int, _ header: ObjectHeader, _ source: BytesSource?) -> SendError? {
            do {
                try stream.send(OutgoingObject(header: header, source: source, context: i, callback: log.callback))
                return nil
            } catch {
                return error
            }
        }
        let sources = (0..<5).map { _ in BytesSource([1, 2, 3]) }
        let reserved = attempt(0, ObjectHeader(opcode: .fin, objectName: "r", attributes: .init(size: 3)), sources[0])
        let large = attempt(1, ObjectHeader(objectName: String(repeating: "n", count: 600), attributes: .init(size: 3)), sources[1])
        let unsized = attempt(2, ObjectHeader(objectName: "u", attributes: .init(size: -1)), sources[2])
        let noSource = attempt(3, ObjectHeader(objectName: "m", attributes: .init(size: 3)), nil)
        let badKey = attempt(4, ObjectHeader(objectName: "k", attributes: .init(size: 3, customMetadata: [MetadataEntry("", "v")])), sources[3])
        #expect(reserved?.code == .reservedOpcode)
        #expect(large?.code == .headerTooLarge)
        #expect(large?.message.contains("512") == true)
        #expect(unsized?.code == .unsizedWithoutPDUs)
        #expect(noSource?.code == .missingSource)
        #expect(badKey?.code == .invalidHeader)
        #expect(log.all.map(\.index) == [0, 1, 2, 3, 4])
        let codes: [SendError.Code?] = log.all.map { $0.error?.code }
        let expected: [SendError.Code?] = [.reservedOpcode, .headerTooLarge, .unsizedWithoutPDUs, .missingSource, .invalidHeader]
        #expect(codes == expected)
        #expect(sources[0...3].allSatisfy { $0.isClosed })
        #expect(!stream.isTerminated)
        stream.fin()
        let after = attempt(5, ObjectHeader(objectName: "late", attributes: .init(size: 3)), sources[4])
        #expect(after?.code == .terminated)
        #expect(after?.message.contains(stream.description) == true)
        #expect(after?.message.contains("end-of-stream") == true)
        #expect(sources[4].isClosed)
        #expect(log.count == 6)
        #expect(server.objects.isEmpty)
    }

    @Test(arguments: ReceiverKind.allCases, [false, true])
    func idleTeardownEndsTheRequestAndTheNextSendOpensOneWithTheSameSession(kind: ReceiverKind, compressed: Bool) throws {
        let server = try kind.make()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("idle"),
            options: TestObjects.options(tick: .milliseconds(50)) {
                $0.idleTeardown = .milliseconds(300)
                $0.compressed = compressed
            })
        let log = CompletionLog()
        // Each batch's first object holds the sender thread (a gate) until the whole batch is
        // queued: no idle gap inside a batch, however the threads are scheduled.
        func sendBatch(_ range: Range<Int>, byte: UInt8) throws {
            let gate = GateSource(bytes: [byte])
            try stream.send(OutgoingObject(
                header: ObjectHeader(objectName: "a\(range.lowerBound)", attributes: ObjectAttributes(size: 1)),
                source: gate, context: range.lowerBound, callback: log.callback))
            for i in range.dropFirst() {
                try stream.send(.bytes(ObjectHeader(objectName: "a\(i)"), [UInt8](repeating: byte, count: i), context: i, callback: log.callback))
            }
            gate.open.store(true, ordering: .releasing)
        }
        try sendBatch(0..<5, byte: 1)
        #expect(server.waitFor(timeout: .seconds(60)) { $0.count == 1 && $0[0].complete })
        #expect(stream.requestCount == 1)
        try sendBatch(5..<10, byte: 2)
        stream.fin()
        #expect(server.waitFor { $0.count == 2 && $0.allSatisfy(\.complete) })
        let requests = server.sessions
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.error == nil && $0.complete })
        #expect(Set(requests.map(\.sessionID)) == [stream.sessionID])
        if let raw = server as? RawStreamServer { #expect(raw.requests.map(\.sawFin) == [false, true]) }
        #expect(server.objects.map(\.header.objectName) == (0..<10).map { "a\($0)" })
        #expect(log.all.map(\.index) == Array(0..<10))
        #expect(log.all.allSatisfy { $0.error == nil })
    }

    @Test func sendBlocksWhenTheQueueIsFullAndCountsIt() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("burst"), options: TestObjects.options { $0.burst = 4 })
        let gate = GateSource(bytes: [9, 9, 9])
        try stream.send(OutgoingObject(header: ObjectHeader(objectName: "gate", attributes: .init(size: 3)), source: gate))
        #expect(eventually { gate.reading.load(ordering: .acquiring) })
        for i in 0..<4 { try stream.send(.bytes(ObjectHeader(objectName: "q\(i)"), [1])) }
        #expect(stream.queueFullCount == 0)
        let blockedSendReturned = Atomic(false)
        let t = Thread {
            try? stream.send(.bytes(ObjectHeader(objectName: "blocked"), [1]))
            blockedSendReturned.store(true, ordering: .releasing)
        }
        t.start()
        #expect(eventually { stream.queueFullCount == 1 })
        let returnedEarly = blockedSendReturned.load(ordering: .acquiring)
        #expect(!returnedEarly)
        gate.open.store(true, ordering: .releasing)
        #expect(eventually { blockedSendReturned.load(ordering: .acquiring) })
        stream.fin()
        // fin() returns once every object is on the wire; the server may still be reading.
        #expect(eventually { server.objects.map(\.header.objectName) == ["gate", "q0", "q1", "q2", "q3", "blocked"] })
    }

    @Test func idsDescriptionAndThreadsFollowTheStream() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let a = try ObjStream(url: server.url("named"), destinationID: "dst1", options: TestObjects.options())
        let b = try ObjStream(url: server.url("named"), options: TestObjects.options { $0.compressed = true })
        #expect(a.sessionID > 100)
        #expect(b.sessionID > a.sessionID)
        #expect(a.id.endpointName == "named" && a.id.sessionID == a.sessionID)
        #expect(a.description == "named[\(a.sessionID)=>dst1]")
        #expect(b.description == "named[\(b.sessionID)=>](z)")
        #expect(a.url.description == server.url("named"))
        let names = { TestObjects.threadNames().filter { $0.hasSuffix("-\(a.sessionID)") }.sorted() }
        #expect(names().isEmpty)
        #expect(server.requests.isEmpty)
        try a.send(.bytes(ObjectHeader(objectName: "x"), [1]))
        #expect(eventually { names() == ["oscq-\(a.sessionID)", "ostx-\(a.sessionID)"] })
        a.fin()
        b.stop()
        #expect(b.terminationReason?.name == "stopped")
        #expect(eventually { names().isEmpty })
        #expect(a.terminationReason?.name == "end-of-stream")
    }

    @Test func collectorForgetsTerminatedStreamsAfterAGraceTickAndStopsTheRest() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let collector = StreamCollector(tick: .milliseconds(50), slowTick: .milliseconds(200))
        var options = TestObjects.options()
        options.collector = collector
        let done = try ObjStream(url: server.url("gc"), options: options)
        let running = try ObjStream(url: server.url("gc"), options: options)
        #expect(collector.streamCount == 2)
        try done.send(.bytes(ObjectHeader(objectName: "x"), [1]))
        done.fin()
        #expect(eventually { collector.streamCount == 1 })
        try running.send(.bytes(ObjectHeader(objectName: "y"), [1]))
        collector.stop()
        #expect(running.waitUntilCompleted(timeout: .seconds(60)))
        #expect(running.terminationReason?.name == "stopped")
        #expect(collector.streamCount == 0)
    }

    @Test func invalidURLsAreRefusedNamingWhatIsWrong() {
        for (url, fragment) in [("ftp://x/y", "only http://"), ("http://:80/x", "no host"), ("http://h:99999/x", "port"), ("http://[::1/x", "unclosed")] {
            #expect {
                _ = try ObjStream(url: url, options: TestObjects.options())
            } throws: { error in
                let e = error as? SendError
                return e?.code == .invalidURL && e?.message.contains(fragment) == true
            }
        }
    }

    @Test func ipv6LoopbackURLsParse() throws {
        let url = try EndpointURL("http://[::1]:9080/v1/objstream/six")
        #expect(url.host == "::1" && url.port == 9080 && url.endpointName == "six" && url.address == "[::1]:9080")
    }

    @Test func streamsReachAnIPv6LoopbackReceiver() throws {
        let server = try RawStreamServer(ipv6: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("six"), options: TestObjects.options())
        try stream.send(.bytes(ObjectHeader(objectName: "v6"), [6, 6, 6]))
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream")
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.objects.map(\.header.objectName) == ["v6"])
        #expect(server.requests[0].header("Host") == "[::1]:\(server.port)")
    }

    @Test func sendMetricsCountObjectsBytesRequestsAndTerminations() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let registry = MetricsRegistry()
        let stream = try ObjStream(url: server.url("metrics"), options: TestObjects.options { $0.metrics = registry })
        for i in 0..<10 { try stream.send(.bytes(ObjectHeader(objectName: "m\(i)"), [UInt8](repeating: 1, count: 100))) }
        try stream.send(.bytes(ObjectHeader(opcode: .done, objectName: "control"), [1]))
        _ = try? stream.send(.bytes(ObjectHeader(opcode: .idleTick, objectName: "reserved"), [1]))
        stream.fin()
        let text = registry.render()
        for line in [
            "objstream_tx_objects_total 10", "objstream_tx_bytes_total 1000", "objstream_tx_requests_total 1",
            "objstream_tx_streams_open 0", "objstream_tx_completions_failed_total 1",
            "objstream_tx_terminations_total{reason=\"end-of-stream\"} 1",
        ] {
            #expect(text.split(separator: "\n").contains { $0 == line }, "\(line) in\n\(text)")
        }
    }
}
