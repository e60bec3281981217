import Foundation
import ObjStreamMetrics
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// Broken connections, late and missing receivers: every object still completes
/// exactly once, the termination callback fires once, and no thread is left behind.
@Suite struct StreamFailureTests {
    /// Records termination callbacks.
    final class Terminations: Sendable {
        private let calls = Mutex<[(String, SendError)]>([])
        var callback: TerminationCallback { { [self] dst, e in calls.withLock { $0.append((dst, e)) } } }
        var all: [(destination: String, error: SendError)] { calls.withLock { $0.map { ($0.0, $0.1) } } }
    }

    private func threadsOf(_ stream: ObjStream) -> [String] {
        TestObjects.threadNames().filter { $0 == "ostx-\(stream.sessionID)" || $0 == "oscq-\(stream.sessionID)" }
    }

    /// Sends 256 KiB objects, breaks the receiver with `kill` once 50 MiB are on the wire,
    /// sends until a send is refused, then checks that every object completed exactly once:
    /// the queued ones in send order, delivered ones first, and the stream ended by an error.
    private func sendUntilBroken(_ stream: ObjStream, kill: () -> Void) {
        let log = CompletionLog()
        let payload = [UInt8](repeating: 7, count: 256 << 10)
        var attempted = 0
        var accepted = Set<Int>()
        var killed = false
        for i in 0..<100_000 {
            if !killed, stream.bytesSent > 50 << 20 {
                kill()
                killed = true
            }
            attempted += 1
            let h = ObjectHeader(bucket: Bucket(name: "k"), objectName: "k/\(i)")
            if (try? stream.send(.bytes(h, payload, context: i, callback: log.callback))) == nil {
                if killed { break }
            } else {
                accepted.insert(i)
            }
        }
        #expect(killed)
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        let completions = log.all
        #expect(completions.count == attempted)
        #expect(Set(completions.map(\.index)).count == attempted)
        #expect(completions.contains { $0.error != nil })
        // Objects the queue took complete in send order, the delivered ones first; a send
        // refused after the break completes at once on the caller's thread, in between.
        let queued = completions.filter { accepted.contains($0.index) }
        #expect(queued.map(\.index) == queued.map(\.index).sorted())
        let queuedFailures = queued.filter { $0.error != nil }.count
        #expect(queued.prefix(queued.count - queuedFailures).allSatisfy { $0.error == nil })
        #expect(stream.terminationReason?.name == "error")
    }

    @Test func receiverKilledMidStreamCompletesEveryObjectOnceAndLeavesNoThread() throws {
        let server = try RawStreamServer()
        let terms = Terminations()
        let stream = try ObjStream(
            url: server.url("killed"), destinationID: "t1",
            options: TestObjects.options { $0.terminationCallback = terms.callback })
        sendUntilBroken(stream, kill: server.kill)
        #expect(terms.all.count == 1)
        #expect(terms.all.first?.destination == "t1")
        #expect(terms.all.first?.error.code == .network)
        #expect(eventually { threadsOf(stream).isEmpty })
    }

    @Test(arguments: ReceiverKind.allCases)
    func receiverStartedAfterTheFirstRefusedConnectGetsEverythingThroughTheRetry(kind: ReceiverKind) throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let port = refusing.port
        let metrics = MetricsRegistry()
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(port)/v1/objstream/late", options: TestObjects.options { $0.metrics = metrics })
        let log = CompletionLog()
        for i in 0..<10 {
            try stream.send(.bytes(ObjectHeader(objectName: "late/\(i)"), [UInt8](repeating: 1, count: 100), context: i, callback: log.callback))
        }
        // The receiver starts only once the sender has been refused and is retrying.
        #expect(eventually { Self.retries(in: metrics) >= 1 })
        refusing.close()
        let server = try kind.make(port: port)
        defer { server.kill() }
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<10))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(server.objects.map(\.header.objectName) == (0..<10).map { "late/\($0)" })
        #expect(stream.terminationReason?.name == "end-of-stream")
    }

    /// `objstream_tx_retries_total` of a registry.
    private static func retries(in metrics: MetricsRegistry) -> Double {
        ExpositionText.value(of: "objstream_tx_retries_total", in: metrics.render()) ?? 0
    }

    @Test func receiverProcessKilledMidStreamCompletesEveryObjectOnceAndLeavesNoThread() throws {
        let serve = try ChildProcess(
            TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0", "--endpoint", "killed=sink"])
        defer { serve.stop(signal: SIGKILL) }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let terms = Terminations()
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(port)/v1/objstream/killed", destinationID: "serve",
            options: TestObjects.options { $0.terminationCallback = terms.callback })
        sendUntilBroken(stream, kill: { serve.signal(SIGKILL) })
        #expect(terms.all.count == 1)
        #expect(eventually { threadsOf(stream).isEmpty })
    }

    @Test func noReceiverFailsAfterTheRetryWindowNamingTheAddress() throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let port = refusing.port
        let terms = Terminations()
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(port)/v1/objstream/none",
            options: TestObjects.options {
                $0.retryWindow = .seconds(2)
                $0.terminationCallback = terms.callback
            })
        let log = CompletionLog()
        let started = ContinuousClock.now
        for i in 0..<5 { try stream.send(.bytes(ObjectHeader(objectName: "n\(i)"), [1, 2, 3], context: i, callback: log.callback)) }
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        // Not before the retry window is over (how long after it depends on the machine: not checked).
        #expect(started.duration(to: .now) >= .seconds(2))
        #expect(log.all.map(\.index) == Array(0..<5))
        #expect(log.all.allSatisfy { $0.error?.code == .connectFailed })
        let error = try #require(stream.terminationReason?.error)
        #expect(error.code == .connectFailed)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(terms.all.count == 1)
    }

    @Test func noReceiverFailsAfterTheDefaultTenSecondRetryWindow() throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let port = refusing.port
        let stream = try ObjStream(url: "http://127.0.0.1:\(port)/v1/objstream/none", options: TestObjects.options())
        let log = CompletionLog()
        let started = ContinuousClock.now
        try stream.send(.bytes(ObjectHeader(objectName: "n"), [1], context: 0, callback: log.callback))
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        #expect(started.duration(to: .now) >= .seconds(10))
        #expect(log.all.first?.error?.code == .connectFailed)
        #expect(log.all.first?.error?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test func errorStatusFromTheReceiverTerminatesWithItsMessage() throws {
        let server = try RawStreamServer(answerStatus: 500)
        defer { server.kill() }
        let terms = Terminations()
        let stream = try ObjStream(url: server.url("e"), options: TestObjects.options { $0.terminationCallback = terms.callback })
        try stream.send(.bytes(ObjectHeader(objectName: "x"), [1, 2]))
        stream.fin()
        let error = try #require(stream.terminationReason?.error)
        #expect(error.code == .httpStatus)
        #expect(error.status == 500)
        #expect(error.message.contains("refused by test server"))
        #expect(terms.all.count == 1)
    }

    @Test func shortReaderBreaksTheStreamWithReadShorterThanSize() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("short"), options: TestObjects.options())
        let log = CompletionLog()
        let short = ShortSource(count: 100)
        try stream.send(.bytes(ObjectHeader(objectName: "ok"), [1, 2, 3], context: 0, callback: log.callback))
        try stream.send(OutgoingObject(
            header: ObjectHeader(objectName: "short", attributes: ObjectAttributes(size: 1000)), source: short,
            context: 1, callback: log.callback))
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        #expect(log.all.map(\.index) == [0, 1])
        #expect(log.all[1].error?.code == .shortRead)
        #expect(log.all[1].error?.message.contains("read shorter than size") == true)
        let closed = short.closed.load(ordering: .acquiring)
        #expect(closed)
        #expect(stream.terminationReason?.error?.code == .shortRead)
    }

    @Test func dryRunEncodesAndDiscardsWithoutAReceiver() throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let port = refusing.port
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(port)/v1/objstream/dry", options: TestObjects.options { $0.dryRun = true })
        let log = CompletionLog()
        for i in 0..<1000 {
            try stream.send(.bytes(ObjectHeader(objectName: "d\(i)"), [UInt8](repeating: 3, count: i * 10), context: i, callback: log.callback))
        }
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<1000))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(stream.bytesSent == Int64((0..<1000).reduce(0) { $0 + $1 * 10 }))
        #expect(stream.terminationReason?.name == "end-of-stream")
    }
}
