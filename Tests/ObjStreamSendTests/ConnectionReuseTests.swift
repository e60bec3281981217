import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// Confirmed delivery over kept-alive connections: the requests of a session share a
/// connection, the next request goes out behind the previous one's unread answer (one
/// deep), and every object still completes once, by the answer to its own request.
@Suite struct ConnectionReuseTests {
    /// Requests of four 1 KiB objects (the byte bound is 4 KiB of frames).
    private func options() -> StreamOptions {
        TestObjects.options { $0.confirmation = DeliveryConfirmation(maxBytes: 4 << 10) }
    }

    private let kib = [UInt8](repeating: 5, count: 1 << 10)

    /// Queues objects 0-7 (two requests: the first one's answer is read before the second
    /// goes out, the second one's is left unread when the third starts), then object 8 from a
    /// gate that holds the sender inside the third request, then objects 9 up to `count`.
    /// Object 0 comes from a gate too, opened once everything is queued: the queue never runs
    /// dry, so each request ends at the byte bound, after four objects.
    /// - Returns: The gate of object 8, once the sender waits at it.
    private func sendThroughGate(
        _ stream: ObjStream, count: Int, log: CompletionLog, name: (Int) -> String = { "o\($0)" }
    ) throws -> GateSource {
        func gated(_ i: Int) -> (OutgoingObject, GateSource) {
            let gate = GateSource(bytes: kib)
            let header = ObjectHeader(objectName: name(i), attributes: .init(size: Int64(kib.count)))
            return (OutgoingObject(header: header, source: gate, context: i, callback: log.callback), gate)
        }
        let (first, start) = gated(0)
        try stream.send(first)
        #expect(eventually { start.reading.load(ordering: .acquiring) })
        for i in 1..<8 { try stream.send(.bytes(ObjectHeader(objectName: name(i)), kib, context: i, callback: log.callback)) }
        let (held, gate) = gated(8)
        try stream.send(held)
        for i in 9..<count { try stream.send(.bytes(ObjectHeader(objectName: name(i)), kib, context: i, callback: log.callback)) }
        start.open.store(true, ordering: .releasing)
        #expect(eventually { gate.reading.load(ordering: .acquiring) })
        return gate
    }

    /// Opens a stream to `server` and sends through the gate (``sendThroughGate(_:count:log:name:)``).
    private func start(
        _ server: RawStreamServer, count: Int, name: @escaping (Int) -> String = { "o\($0)" }
    ) throws -> (stream: ObjStream, log: CompletionLog, gate: GateSource) {
        let log = CompletionLog()
        let stream = try ObjStream(url: server.url("reuse"), options: options())
        return (stream, log, try sendThroughGate(stream, count: count, log: log, name: name))
    }

    @Test func theConfirmedRequestsOfASessionShareAKeptAliveConnection() throws {
        let server = try RawStreamServer(keepAlive: true)
        defer { server.kill() }
        let (stream, log, gate) = try start(server, count: 40)
        gate.open.store(true, ordering: .releasing)
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<40))
        #expect(log.all.allSatisfy { $0.error == nil }, "\(log.all)")
        #expect(server.objects.map(\.header.objectName) == (0..<40).map { "o\($0)" })
        let requests = server.requests
        #expect(requests.count >= 10, "\(requests.count) requests")
        // Objects 0-11 went without a pause in between: their three requests on one connection.
        #expect(Set(requests.prefix(3).map(\.connection)) == [1], "\(requests.map(\.connection))")
        #expect(server.connectionCount < requests.count, "\(server.connectionCount) connections")
    }

    @Test func aBrokenConnectionWithARequestOutstandingCompletesEachObjectOnceByWhatTheReceiverAnswered() throws {
        // The receiver answers the second request, then resets the connection.
        let server = try RawStreamServer(keepAlive: true, ending: { $0 == 2 ? .reset : .keepOpen })
        defer { server.kill() }
        let (stream, log, gate) = try start(server, count: 12)
        #expect(server.waitFor { $0.count >= 2 && $0[1].complete })
        #expect(eventually { server.endedConnectionCount == 1 })
        gate.open.store(true, ordering: .releasing)
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<12))
        for entry in log.all {
            if entry.index < 8 {
                // The second request's answer came before the reset: its objects are delivered.
                #expect(entry.error == nil, "\(entry)")
            } else {
                #expect(entry.error?.isRetryable == true, "\(entry)")
            }
        }
        #expect(server.objects.map(\.header.objectName) == (0..<8).map { "o\($0)" })
    }

    @Test func aReceiverThatClosesAfterAnAnswerGetsTheNextObjectsOnANewConnection() throws {
        // The receiver says it closes after the second answer; the third request was written behind it.
        let server = try RawStreamServer(keepAlive: true, ending: { $0 == 2 ? .announceClose : .keepOpen })
        defer { server.kill() }
        let (stream, log, gate) = try start(server, count: 16)
        #expect(eventually { server.endedConnectionCount == 1 })
        gate.open.store(true, ordering: .releasing)
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream")
        #expect(log.all.map(\.index) == Array(0..<16))
        for entry in log.all {
            if (8..<12).contains(entry.index) {
                #expect(entry.error?.code == .network, "\(entry)")
                #expect(entry.error?.isRetryable == true)
                #expect(entry.error?.message.contains("closed the connection after answering the previous request") == true)
            } else {
                #expect(entry.error == nil, "\(entry)")
            }
        }
        let delivered = (0..<8).map { "o\($0)" } + (12..<16).map { "o\($0)" }
        #expect(server.objects.map(\.header.objectName) == delivered)
        let later = server.requests.filter { $0.objects.contains { $0.header.objectName == "o12" } }
        #expect(later.count == 1 && later[0].connection > 1, "\(server.requests.map(\.connection))")
    }

    @Test func aKeptConnectionTheReceiverClosedMeanwhileIsNotUsedAgain() throws {
        let server = try RawStreamServer(keepAlive: true, ending: { $0 == 1 ? .closeSilently : .keepOpen })
        defer { server.kill() }
        let log = CompletionLog()
        let stream = try ObjStream(url: server.url("gone"), options: options())
        for i in 0..<2 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), kib, context: i, callback: log.callback)) }
        #expect(eventually { log.count == 2 && server.endedConnectionCount == 1 })
        for i in 2..<4 { try stream.send(.bytes(ObjectHeader(objectName: "o\(i)"), kib, context: i, callback: log.callback)) }
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<4))
        #expect(log.all.allSatisfy { $0.error == nil }, "\(log.all)")
        #expect(server.objects.map(\.header.objectName) == ["o0", "o1", "o2", "o3"])
        #expect(server.connectionCount >= 2)
    }

    @Test func receiptRefusalsCompleteTheObjectsOfTheirOwnRequest() throws {
        // Refuses every object whose name starts with "bad", in a receipt per request.
        let server = try RawStreamServer(
            keepAlive: true,
            answer: { request in
                let data = request.objects.filter { !$0.header.isControl }
                let refused = data.enumerated().filter { $0.element.header.objectName.hasPrefix("bad") }
                let list = refused.map {
                    #"{"index":\#($0.offset),"object":"\#($0.element.header.objectName)","bucket":"ais://b","code":"bad_name","error":"test"}"#
                }
                return #"{"objects":\#(data.count - refused.count),"bytes":0,"refused":[\#(list.joined(separator: ","))]}"#
            })
        defer { server.kill() }
        // bad5 rides in the second request, answered while the third (with bad10) is written.
        let bad: Set = [1, 5, 10]
        let (stream, log, gate) = try start(server, count: 16) { bad.contains($0) ? "bad\($0)" : "o\($0)" }
        gate.open.store(true, ordering: .releasing)
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<16))
        for entry in log.all {
            if bad.contains(entry.index) {
                #expect(entry.error?.code == .refused, "\(entry)")
                #expect(entry.error?.receiverCode == "bad_name")
                #expect(entry.error?.message.contains("bad\(entry.index)") == true, "\(entry)")
            } else {
                #expect(entry.error == nil, "\(entry)")
            }
        }
    }
}
