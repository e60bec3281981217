import Dispatch
import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// Confirmed delivery: an object completes without error only when the receiver's answer
/// says it has it.
@Suite struct ConfirmedDeliveryTests {
    private func confirmed(_ configure: (inout StreamOptions) -> Void = { _ in }) -> StreamOptions {
        TestObjects.options {
            $0.confirmation = DeliveryConfirmation()
            configure(&$0)
        }
    }

    /// A gateway with one endpoint whose receivers run `make`.
    private func gateway(_ name: String, _ make: @escaping @Sendable (SessionInfo) -> any ObjectReceiver) throws -> Gateway {
        let endpoints = EndpointRegistry()
        try endpoints.register(name, ClosureEndpoint(make))
        let gateway = Gateway(endpoints: endpoints, options: GatewayOptions(port: 0), metrics: MetricsRegistry(), log: { _ in })
        try gateway.start()
        return gateway
    }

    @Test func objectsWrittenToTheSocketDoNotCompleteUntilTheReceiverAnswers() throws {
        let gate = DispatchSemaphore(value: 0)
        let held = Atomic(false)
        let gateway = try gateway("held") { _ in
            ClosureReceiver(header: { _ in
                if !held.exchange(true, ordering: .relaxed) { gate.wait() }
            })
        }
        defer { gateway.stop() }
        let log = CompletionLog()
        let stream = try ObjStream(url: "http://127.0.0.1:\(gateway.port)/v1/objstream/held", options: confirmed())
        // The first object's source holds the sender thread until the other nine are queued, so
        // that all ten go on one request (a request ended early would wait for its answer first).
        let first = GateSource(bytes: [1, 2, 3])
        try stream.send(
            OutgoingObject(
                header: ObjectHeader(objectName: "o0", attributes: ObjectAttributes(size: 3)), source: first,
                context: 0, callback: log.callback))
        #expect(eventually { first.reading.load(ordering: .acquiring) })
        for i in 1..<10 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), [1, 2, 3], context: i, callback: log.callback)) }
        first.open.store(true, ordering: .releasing)
        // Every object is written (the request's offset covers them all) while the receiver holds the first.
        let written = eventually { held.load(ordering: .relaxed) && stream.objectsSent == 10 && !stream.isTerminated }
        let firstError = log.all.first?.error.map { "\($0)" } ?? "none"
        #expect(
            written,
            "held \(held.load(ordering: .relaxed)), \(stream.objectsSent) sent, first error: \(firstError)")
        #expect(log.count == 0)
        gate.signal()
        #expect(eventually { log.count == 10 })
        #expect(log.all.map(\.index) == Array(0..<10))
        #expect(log.all.allSatisfy { $0.error == nil })
        stream.fin()
    }

    @Test func anObjectTheReceiverRefusesCompletesWithItsCodeAndTheStreamGoesOn() throws {
        let gateway = try gateway("picky") { _ in
            ClosureReceiver(header: { header in
                if header.objectName.hasPrefix("bad") {
                    throw ObjectRefusal(code: .checksumMismatch, message: "test refuses \(header.objectName)")
                }
            })
        }
        defer { gateway.stop() }
        let log = CompletionLog()
        let registry = MetricsRegistry()
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(gateway.port)/v1/objstream/picky", options: confirmed { $0.metrics = registry })
        let names = ["a", "bad1", "b", "c", "bad2", "d"]
        for (i, name) in names.enumerated() {
            try stream.send(.bytes(ObjectHeader(objectName: name), [UInt8](repeating: 7, count: 100), context: i, callback: log.callback))
        }
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream")
        #expect(log.all.map(\.index) == Array(0..<6))
        for (i, entry) in log.all.enumerated() {
            if names[i].hasPrefix("bad") {
                #expect(entry.error?.code == .refused)
                #expect(entry.error?.receiverCode == "checksum_mismatch")
                #expect(entry.error?.message.contains("test refuses \(names[i])") == true)
                #expect(entry.error?.isRetryable == false)
            } else {
                #expect(entry.error == nil, "\(names[i])")
            }
        }
        let text = registry.render()
        #expect(ExpositionText.value(of: "objstream_tx_delivered_objects_total", in: text) == 4, "\(text)")
        #expect(ExpositionText.value(of: "objstream_tx_refused_objects_total", in: text) == 2, "\(text)")
    }

    @Test func anEmptyOKFromAReferenceReceiverConfirmsEveryObject() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let log = CompletionLog()
        let stream = try ObjStream(url: server.url("go"), options: confirmed())
        for i in 0..<100 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), [UInt8(i)], context: i, callback: log.callback)) }
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<100))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(server.objects.count == 100)
    }

    @Test func aReceiptThatMissesObjectsDeliversNoneOfThem() throws {
        let server = try RawStreamServer(answerBody: #"{"objects":1,"bytes":1,"refused":[]}"#)
        defer { server.kill() }
        let log = CompletionLog()
        let stream = try ObjStream(url: server.url("short"), options: confirmed())
        for i in 0..<3 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), [1], context: i, callback: log.callback)) }
        stream.fin()
        #expect(log.count == 3)
        #expect(log.all.allSatisfy { $0.error?.code == .receiptMismatch }, "\(log.all)")
        #expect(log.all.first?.error?.message.contains("accounts for 1 of the request's 3 objects") == true)
    }

    @Test func everyObjectSentToAnUnknownEndpointFails() throws {
        let gateway = try gateway("known") { _ in ClosureReceiver() }
        defer { gateway.stop() }
        let log = CompletionLog()
        let stream = try ObjStream(url: "http://127.0.0.1:\(gateway.port)/v1/objstream/unknown", options: confirmed())
        for i in 0..<5 { try? stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), [1], context: i, callback: log.callback)) }
        stream.fin()
        #expect(log.count == 5)
        #expect(log.all.allSatisfy { $0.error?.code == .httpStatus && $0.error?.status == 404 }, "\(log.all)")
        #expect(log.all.first?.error?.receiverCode == "unknown_endpoint")
    }

    @Test func aRequestEndsAndIsConfirmedOnceItCarriesTheByteBound() throws {
        let gateway = try LoopbackGateway(names: ["many"])
        defer { gateway.kill() }
        let log = CompletionLog()
        let stream = try ObjStream(
            url: gateway.url("many"), options: confirmed { $0.confirmation = DeliveryConfirmation(maxBytes: 64 << 10) })
        // 100 objects of 16 KiB against a 64 KiB bound: a request every four or five objects.
        let data = [UInt8](repeating: 1, count: 16 << 10)
        for i in 0..<100 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), data, context: i, callback: log.callback)) }
        stream.fin()
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(gateway.objects.count == 100)
        #expect(stream.requestCount >= 20, "\(stream.requestCount) requests")
        #expect(Set(gateway.sessions.map(\.sessionID)).count == 1)
    }
}
