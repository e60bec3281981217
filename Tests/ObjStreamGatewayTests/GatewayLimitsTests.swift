import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// The limits of a gateway in this process: what strikes when, and how it is counted.
@Suite struct GatewayLimitsTests {
    /// A header-only probe object.
    static func probe(_ name: String = "probe") throws -> [UInt8] {
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: name))
        return encoder.bytes
    }

    /// The block of one family in a rendering: its HELP, TYPE and sample lines.
    static func family(_ name: String, in text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("# HELP \(name) ") || $0.hasPrefix("# TYPE \(name) ") || $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .joined(separator: "\n")
    }

    @Test func theConnectionFamiliesStartAtZeroWithEveryReason() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let text = harness.metrics.render()
        #expect(Self.family("objstream_connections_rejected_total", in: text) == """
            # HELP objstream_connections_rejected_total Connections and requests of the stream listener that a limit refused or cut, by limit.
            # TYPE objstream_connections_rejected_total counter
            objstream_connections_rejected_total{reason="connection_timeout"} 0
            objstream_connections_rejected_total{reason="header_timeout"} 0
            objstream_connections_rejected_total{reason="lz4_memory"} 0
            objstream_connections_rejected_total{reason="max_connections"} 0
            objstream_connections_rejected_total{reason="max_lz4_block"} 0
            objstream_connections_rejected_total{reason="per_ip_connections"} 0
            """)
        #expect(Self.family("objstream_connections_open", in: text) == """
            # HELP objstream_connections_open Connections open now on the stream listener.
            # TYPE objstream_connections_open gauge
            objstream_connections_open 0
            """)
        #expect(Self.family("objstream_lz4_memory_reserved_bytes", in: text) == """
            # HELP objstream_lz4_memory_reserved_bytes Memory reserved now by the lz4 decompressors of compressed streams (bounded by gateway.lz4_memory).
            # TYPE objstream_lz4_memory_reserved_bytes gauge
            objstream_lz4_memory_reserved_bytes 0
            """)
    }

    @Test func aConnectionBeyondThePerAddressLimitIsClosedAndCountedAndItsPlaceComesBack() throws {
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, perIPConnections: 2))
        defer { harness.stop() }
        let first = try RawHTTPClient(port: harness.port)
        let second = try RawHTTPClient(port: harness.port)
        #expect(eventually { harness.gateway.openConnections == 2 })
        let third = try RawHTTPClient(port: harness.port)
        #expect(third.isClosedByPeer(within: .seconds(60)))
        #expect(harness.counter("objstream_connections_rejected_total", #"reason="per_ip_connections""#) == 1)
        let other = try RawHTTPClient(port: harness.port, source: "127.0.0.2")
        #expect(eventually { harness.gateway.openConnections == 3 }, "another address has places of its own")
        first.reset()
        #expect(eventually { harness.gateway.openConnections == 2 })
        let again = try RawHTTPClient(port: harness.port)
        try again.send(RawHTTPClient.streamHead("none", chunked: false, contentLength: 0))
        #expect(try again.readResponse().status == 404, "the freed place is taken again")
        _ = (second, other)
    }

    @Test func aKeepAliveConnectionIdleBetweenRequestsIsClosedAtTheHeaderTimeoutNotBefore() throws {
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, headerTimeout: .seconds(1)))
        defer { harness.stop() }
        try harness.endpoints.register("sink", SinkEndpoint())
        let client = try RawHTTPClient(port: harness.port)
        let body = try Self.probe()
        // The deadline is armed when the request ends, which is after it was sent.
        let sent = ContinuousClock.now
        try client.send(RawHTTPClient.streamHead("sink", chunked: false, contentLength: body.count) + body)
        #expect(try client.readResponse().status == 200)
        #expect(client.isClosedByPeer(within: .seconds(60)))
        let idle = ContinuousClock.now - sent
        #expect(idle >= .seconds(1), "closed after \(idle)")
        #expect(harness.counter("objstream_connections_rejected_total", #"reason="header_timeout""#) == 1)
    }

    @Test func aStreamWhoseHeadersAreCompleteOutlivesATricklerOfTheSameAge() throws {
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, headerTimeout: .seconds(1)))
        defer { harness.stop() }
        try harness.endpoints.register("sink", SinkEndpoint())
        let stream = try RawHTTPClient(port: harness.port)
        let trickler = try RawHTTPClient(port: harness.port)
        try trickler.send(Array("PUT /v1/objstream/sink HTTP/1.1\r\n".utf8))
        try stream.send(RawHTTPClient.streamHead("sink"))
        #expect(trickler.isClosedByPeer(within: .seconds(60)))
        // The stream was accepted before the trickler was cut: its deadline has passed too, but
        // its headers were complete.
        #expect(!stream.isClosedByPeer())
        try stream.sendChunk(try Self.probe())
        try stream.endChunked()
        #expect(try stream.readResponse().status == 200)
    }

    @Test func aCompressedStreamReservesForItsLargestBlockThenWhatItsFrameNeeds() throws {
        let oneLarge = LZ4FrameDecoder.memory(blockSize: 4 << 20)
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, lz4Memory: oneLarge))
        defer { harness.stop() }
        try harness.endpoints.register("sink", SinkEndpoint())
        let reserved = { harness.counter("objstream_lz4_memory_reserved_bytes") }

        let small = try RawHTTPClient(port: harness.port)
        try small.send(RawHTTPClient.streamHead("sink", compressed: true))
        #expect(eventually { reserved() == Double(oneLarge) })
        try small.sendChunk(BrokenCase.frameHeader(.kib256))
        #expect(eventually { reserved() == Double(LZ4FrameDecoder.memory(blockSize: 256 << 10)) })

        // What is left is less than a stream that may announce 4 MiB blocks reserves.
        let refused = try RawHTTPClient(port: harness.port)
        try refused.send(RawHTTPClient.streamHead("sink", compressed: true))
        let answer = try refused.readResponse()
        #expect(answer.status == 503)
        #expect(answer.body.hasPrefix(#"{"code":"lz4_memory","error":"the lz4 decompressors hold 925696 of 8790016 bytes"#), "\(answer.body)")
        #expect(harness.counter("objstream_connections_rejected_total", #"reason="lz4_memory""#) == 1)

        try small.endChunked()
        #expect(try small.readResponse().status == 200)
        #expect(eventually { reserved() == 0 })
        let later = try RawHTTPClient(port: harness.port)
        try later.send(RawHTTPClient.streamHead("sink", compressed: true))
        #expect(eventually { reserved() == Double(oneLarge) }, "the memory came back")
        later.reset()
        #expect(eventually { reserved() == 0 })
    }

    @Test func theAdminListenerAnswersReadinessFromTheGateway() throws {
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, maxConnections: 1))
        let admin = AdminListener(host: "127.0.0.1", port: 0, metrics: harness.metrics, gateway: harness.gateway, log: { _ in })
        try admin.start()
        defer { admin.stop() }
        func get(_ path: String) throws -> RawHTTPClient.Response {
            let client = try RawHTTPClient(port: admin.port)
            try client.send(Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            return try client.readResponse()
        }
        #expect(try get("/readyz").body == #"{"status":"ready"}"# + "\n")
        let holder = try RawHTTPClient(port: harness.port)
        #expect(eventually { harness.gateway.openConnections == 1 })
        let full = try get("/readyz")
        #expect(full.status == 503 && full.body == #"{"reasons":["connections_at_limit"],"status":"not_ready"}"# + "\n")
        holder.reset()
        #expect(eventually { (try? get("/readyz").status) == 200 })
        harness.stop()
        #expect(try get("/readyz").body == #"{"reasons":["draining"],"status":"not_ready"}"# + "\n")
        #expect(try get("/healthz").status == 200)
        #expect(try get("/metrics").status == 200)
        #expect(try get("/nope").status == 404)
        let post = try RawHTTPClient(port: admin.port)
        try post.send(Array("POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        #expect(try post.readResponse().status == 405)
        #expect(harness.counter("objstream_http_requests_total", #"route="readyz",status="503""#) >= 2)
        #expect(harness.counter("objstream_http_requests_total", #"route="other",status="404""#) == 1)
    }
}

/// `gateway.max_connections`' upper bound: what the process can hold.
@Suite struct GatewayCapacityTests {
    static func host(files: Int = 1 << 20, threads: Int = 1 << 20, memory: Int = 1 << 40) -> HostLimits {
        HostLimits(
            openFiles: .init(value: files, source: "RLIMIT_NOFILE"), threads: .init(value: threads, source: "cgroup pids.max"),
            memory: .init(value: memory, source: "cgroup memory limit"))
    }

    @Test func theLeastOfDescriptorsThreadsAndMemoryBindsAndIsNamed() {
        let options = GatewayOptions()
        let byFiles = GatewayCapacity.maxConnections(options, host: Self.host(files: 1024))
        #expect(byFiles.bound == 472)
        #expect(byFiles.reason == "RLIMIT_NOFILE 1024 holds 472 at 2 file descriptors each (80 kept for the process)")
        let byThreads = GatewayCapacity.maxConnections(options, host: Self.host(threads: 4096))
        #expect(byThreads.bound == 4032)
        #expect(byThreads.reason == "cgroup pids.max 4096 holds 4032 at a thread each (64 kept for the process)")
        // 1 GiB less 64 MiB and lz4_memory's 256 MiB, at 256 KiB + 4 KiB + 64 KiB a connection.
        let byMemory = GatewayCapacity.maxConnections(options, host: Self.host(memory: 1 << 30))
        #expect(byMemory.bound == 2224)
        #expect(byMemory.reason.hasPrefix("cgroup memory limit 1 GiB holds 2224 at 324 KiB each"), "\(byMemory.reason)")
        #expect(GatewayCapacity.maxConnections(options, host: Self.host(memory: 256 << 20)).bound == 0)
    }
}
