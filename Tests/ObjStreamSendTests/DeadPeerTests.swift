import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A receiver that stops taking bytes (or dies without a word) ends the stream after the write
/// timeout instead of holding the sender thread for as long as the kernel keeps retrying.
@Suite struct DeadPeerTests {
    /// How the objects' bytes are written.
    enum Path: String, CaseIterable, Sendable {
        /// From memory, gathered into `sendmsg`.
        case memory
        /// From a file, with `sendfile(2)`.
        case file
    }

    @Test(arguments: Path.allCases)
    func aPeerThatTakesNoBytesEndsTheStreamWithANetworkErrorAfterTheWriteTimeout(path: Path) throws {
        // Listening but never accepting: the connection is made, the peer's buffers fill, then
        // every write waits.
        let holding = try LoopbackSocket(.holding)
        defer { holding.close() }
        let terms = StreamFailureTests.Terminations()
        let stream = try ObjStream(
            url: "http://127.0.0.1:\(holding.port)/v1/objstream/dead",
            options: TestObjects.options {
                $0.writeTimeout = .seconds(1)
                $0.terminationCallback = terms.callback
            })
        let log = CompletionLog()
        let count = 48
        let size = 1 << 20
        let file = try TestPaths.temporaryDirectory("objstream-dead").appendingPathComponent("object")
        try Data(repeating: 5, count: size).write(to: file)
        let started = ContinuousClock.now
        for i in 0..<count {
            let header = ObjectHeader(objectName: "dead/\(i)", attributes: ObjectAttributes(size: Int64(size)))
            let source: any ObjectSource = path == .file
                ? try FileSource(path: file.path) : BytesSource([UInt8](repeating: 5, count: size))
            _ = try? stream.send(OutgoingObject(header: header, source: source, context: i, callback: log.callback))
        }
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        // Not before the write timeout (how long after it depends on the machine: not checked).
        #expect(started.duration(to: .now) >= .seconds(1))
        let error = try #require(stream.terminationReason?.error)
        #expect(error.code == .network)
        #expect(error.message.contains("no progress for 1.0s"), "\(error)")
        #expect(error.message.contains("127.0.0.1:\(holding.port)"), "\(error)")
        #expect(log.all.map(\.index) == Array(0..<count))
        #expect(log.all.contains { $0.error?.code == .network })
        #expect(terms.all.count == 1)
        #expect(terms.all.first?.error.code == .network)
    }

    @Test func streamSocketsProbeIdlePeersAndGiveUpOnUnacknowledgedDataAfterTheWriteTimeout() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("probed"),
            options: TestObjects.options {
                $0.collector = nil  // no idle teardown: the request stays open
                $0.writeTimeout = .milliseconds(7500)
                $0.keepAlive = TCPKeepAlive(idle: .seconds(20), interval: .seconds(4), count: 6)
            })
        defer { stream.stop() }
        try stream.send(.bytes(ObjectHeader(objectName: "p"), [1, 2, 3]))
        #expect(server.waitFor { $0.first?.objects.count == 1 })
        let fd = try #require(LoopbackConnections.descriptors(connectedTo: server.port).first)
        func option(_ level: Int32, _ name: Int32) -> Int32 {
            var value: Int32 = -1
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, level, name, &value, &length)
            return value
        }
        let tcp = Int32(IPPROTO_TCP)
        #expect(option(SOL_SOCKET, SO_KEEPALIVE) == 1)
        #expect(option(tcp, TCP_KEEPIDLE) == 20)
        #expect(option(tcp, TCP_KEEPINTVL) == 4)
        #expect(option(tcp, TCP_KEEPCNT) == 6)
        #expect(option(tcp, TCP_USER_TIMEOUT) == 7500)
    }

    @Test func aZeroWriteTimeoutAndNoKeepaliveLeaveTheKernelDefaults() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("plain"),
            options: TestObjects.options {
                $0.collector = nil
                $0.writeTimeout = .zero
                $0.keepAlive = nil
            })
        defer { stream.stop() }
        try stream.send(.bytes(ObjectHeader(objectName: "p"), [1, 2, 3]))
        #expect(server.waitFor { $0.first?.objects.count == 1 })
        let fd = try #require(LoopbackConnections.descriptors(connectedTo: server.port).first)
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &value, &length)
        #expect(value == 0)
        getsockopt(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &value, &length)
        #expect(value == 0)
    }
}
