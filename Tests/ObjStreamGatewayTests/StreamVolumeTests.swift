import Foundation
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

@Suite struct StreamVolumeTests {
    @Test func oneGibibyteOfMixedObjectsOverOneConnectionArrivesCounted() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let sink = SinkEndpoint()
        try harness.endpoints.register("sink", sink)
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("sink"))
        var stream = MixedStream()
        let started = ContinuousClock.now
        try stream.send(over: client, total: 1 << 30)
        try client.endChunked()
        let response = try client.readResponse()
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 200, "\(response.body)")
        #expect(sink.received.objects == stream.objects)
        #expect(sink.received.bytes == stream.bytes)
        #expect(harness.counter("objstream_rx_bytes_total", "endpoint=\"sink\"") == Double(stream.bytes))
        #expect(harness.counter("objstream_rx_objects_total", "endpoint=\"sink\"") == Double(stream.objects))
        print("1 GiB mixed stream (\(stream.objects) objects): \(Int(Double(stream.bytes) / elapsed.seconds / 1e6)) MB/s (debug build)")
    }

    @Test func sixteenConcurrentStreamsDeliverExactBytes() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let sizes = [0, 1, 4095, 70_000, 300_001, 1_048_576]
        let payloads = sizes.map { PayloadPattern.bytes(for: "c\($0)", size: $0) }
        let good = Atomic<Int>(0)
        let bad = Mutex<[String]>([])
        try harness.endpoints.register(
            "collect",
            CollectingEndpoint(maxObjectSize: 2 << 20) { session, header, bytes in
                let i = Int(header.opaque.first ?? 255)
                if i < payloads.count, bytes == payloads[i] {
                    good.wrappingAdd(1, ordering: .relaxed)
                } else {
                    bad.withLock { $0.append("\(session.sessionID) \(header.objectName)") }
                }
            })
        let rounds = 4
        let statuses = Mutex<[Int]>([])
        let errors = Mutex<[String]>([])
        let group = DispatchGroup()
        for stream in 0..<16 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    var encoder = FrameEncoder()
                    for _ in 0..<rounds {
                        for (i, size) in sizes.enumerated() {
                            try encoder.appendObject(
                                ObjectHeader(
                                    bucket: Bucket(name: "b\(stream)"), objectName: "c\(size)", opaque: [UInt8(i)],
                                    attributes: ObjectAttributes(size: Int64(size))),
                                data: payloads[i])
                        }
                    }
                    let client = try RawHTTPClient(port: harness.port)
                    try client.send(RawHTTPClient.streamHead("collect", sessionID: String(200 + stream)))
                    var offset = 0
                    while offset < encoder.bytes.count {
                        let end = min(offset + 100_003, encoder.bytes.count)
                        try client.sendChunk(Array(encoder.bytes[offset..<end]))
                        offset = end
                    }
                    try client.endChunked()
                    let status = try client.readResponse().status
                    statuses.withLock { $0.append(status) }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(errors.withLock { $0 } == [])
        #expect(statuses.withLock { $0 } == [Int](repeating: 200, count: 16))
        #expect(good.load(ordering: .relaxed) == 16 * rounds * sizes.count)
        #expect(bad.withLock { $0 } == [])
        #expect(harness.counter("objstream_rx_sessions_total", "endpoint=\"collect\"") == 16)
    }

    @Test func lz4CompressedStreamFlushedAtObjectBoundariesDeliversExactBytes() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let objects: [(String, [UInt8])] = [
            ("empty", []), ("small", PayloadPattern.bytes(for: "small", size: 1000)),
            ("zeros", [UInt8](repeating: 0, count: 3_000_000)), ("big", PayloadPattern.bytes(for: "big", size: 5_000_001)),
            ("tail", PayloadPattern.bytes(for: "tail", size: 7)),
        ]
        let received = Mutex<[(String, [UInt8])]>([])
        try harness.endpoints.register(
            "z",
            CollectingEndpoint(maxObjectSize: 8 << 20) { _, header, bytes in
                received.withLock { $0.append((header.objectName, bytes)) }
            })
        let encoder = try LZ4FrameEncoder(blockSize: .kib256)
        var body: [UInt8] = []
        try encoder.begin { body += $0 }
        for (name, data) in objects {
            var frame = FrameEncoder()
            try frame.appendObject(
                ObjectHeader(bucket: Bucket(name: "b"), objectName: name, attributes: ObjectAttributes(size: Int64(data.count))),
                data: data)
            try frame.bytes.withUnsafeBytes { plain in try encoder.compress(plain) { body += $0 } }
            try encoder.flush { body += $0 }
        }
        let plainSize = objects.reduce(0) { $0 + $1.1.count }
        #expect(body.count < plainSize - 2_900_000)  // the zeros compress away
        let response = try harness.put("z", body, chunkSize: 4096, compressed: true)
        #expect(response.status == 200, "\(response.body)")
        let got = received.withLock { $0 }
        #expect(got.map(\.0) == objects.map(\.0))
        #expect(zip(got, objects).allSatisfy { $0.1 == $1.1 })
        #expect(harness.counter("objstream_rx_bytes_total", "endpoint=\"z\"") == Double(plainSize))
    }
}
