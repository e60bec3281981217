import Foundation
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReceiverBehaviourTests {
    @Test func throwingReceiverEndsItsStreamWith400Handler() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let recorder = RecordingEndpoint(throwAfterBytes: 1000)
        try harness.endpoints.register("picky", recorder)
        var encoder = FrameEncoder()
        for i in 0..<5 {
            try encoder.appendObject(
                ObjectHeader(bucket: Bucket(name: "b"), objectName: "o\(i)", attributes: ObjectAttributes(size: 50_000)),
                data: [UInt8](repeating: UInt8(i), count: 50_000))
        }
        let response = try harness.put("picky", encoder.bytes, chunkSize: 4096)
        #expect(response.status == 400)
        // Nothing was taken: the receiver failed inside the first object.
        #expect(response.body.hasPrefix(#"{"bytes":0,"code":"handler","error":"receiver failed: the test receiver refuses more data"#))
        #expect(response.body.hasSuffix(#","objects":0}"# + "\n"), "\(response.body)")
        let session = recorder.recorded.first
        #expect(session?.objects.count == 1)
        #expect((1000..<50_000).contains(session?.dataBytes ?? 0))
        #expect(session?.ends.count == 1)
        #expect(harness.counter("objstream_rx_broken_streams_total", "code=\"handler\"") == 1)
        #expect(harness.gateway.waitUntilIdle(timeout: .seconds(60)))
        #expect(harness.ended.first?.result == "handler")
        #expect(try harness.put("picky", []).status == 200)
    }

    @Test func blockingReceiverSlowsOnlyItsOwnStream() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let gate = DispatchSemaphore(value: 0)
        let blocked = Atomic<Bool>(false)
        try harness.endpoints.register(
            "slow",
            ClosureEndpoint { _ in
                var first = true
                return ClosureReceiver(data: { _ in
                    if first {
                        first = false
                        blocked.store(true, ordering: .sequentiallyConsistent)
                        gate.wait()
                    }
                })
            })
        let sink = SinkEndpoint()
        try harness.endpoints.register("fast", sink)

        let size = 256 << 20
        let slow = try RawHTTPClient(port: harness.port)
        try slow.send(RawHTTPClient.streamHead("slow"))
        let header = ObjectHeader(bucket: Bucket(name: "b"), objectName: "big", attributes: ObjectAttributes(size: Int64(size)))
        let hdr = try HeaderCodec.encode(header)
        try slow.sendChunk(ProtoHeader(length: UInt64(hdr.count)).bytes + hdr)
        let piece = [UInt8](repeating: 1, count: 1 << 20)
        // Non-blocking writes until the socket is unwritable *after* the receiver blocked: from then
        // on the connection's thread waits at the gate and reads nothing, so a full socket is the
        // receiver holding the sender back, however slow or fast the machine is.
        let flags = fcntl(slow.fd, F_GETFL)
        _ = fcntl(slow.fd, F_SETFL, flags | O_NONBLOCK)
        var pending = Array(piece.count.hexLine.utf8) + piece + [13, 10]
        var sent = 0
        var stalled = false
        while sent < size && !stalled {
            let n = pending.withUnsafeBytes { send(slow.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                pending.removeFirst(n)
                if pending.isEmpty {
                    sent += piece.count
                    pending = Array(piece.count.hexLine.utf8) + piece + [13, 10]
                }
                continue
            }
            let receiverWaits = blocked.load(ordering: .sequentiallyConsistent)
            var poller = pollfd(fd: slow.fd, events: Int16(POLLOUT), revents: 0)
            stalled = poll(&poller, 1, 100) == 0 && receiverWaits
        }
        #expect(stalled, "the sender was never held back")
        #expect(sent < size / 4, "\(sent) bytes went out while the receiver blocked")
        let receiverBlocked = blocked.load(ordering: .sequentiallyConsistent)
        #expect(receiverBlocked)

        var other = MixedStream()
        let fast = try RawHTTPClient(port: harness.port)
        try fast.send(RawHTTPClient.streamHead("fast"))
        try other.send(over: fast, total: 32 << 20)
        try fast.endChunked()
        #expect(try fast.readResponse().status == 200)
        #expect(sink.received.bytes == other.bytes)
        #expect(eventually { harness.gateway.openSessions == 1 }, "the fast session did not end while the slow one blocked")

        gate.signal()
        _ = fcntl(slow.fd, F_SETFL, flags)
        try slow.send(pending)
        sent += piece.count
        while sent < size {
            try slow.sendChunk(piece)
            sent += piece.count
        }
        try slow.endChunked()
        #expect(try slow.readResponse().status == 200)
        #expect(harness.counter("objstream_rx_bytes_total", "endpoint=\"slow\"") == Double(size))
    }
}

extension Int {
    fileprivate var hexLine: String { String(self, radix: 16) + "\r\n" }
}
