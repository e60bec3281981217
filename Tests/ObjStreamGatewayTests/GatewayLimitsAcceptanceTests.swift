import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's acceptance against a real `objstream serve`: one client cannot take the gateway
/// down. Timeouts are asserted only as lower bounds ("not before"); latencies are printed.
@Suite(.serialized) struct GatewayLimitsAcceptanceTests {
    /// A request head that a trickling client never completes in time (80 bytes at a byte a second).
    static let slowHead = "PUT /v1/objstream/default HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// `GET path` on a fresh connection to the admin listener, timed.
    static func timedGet(_ port: UInt16, _ path: String) throws -> (response: RawHTTPClient.Response, elapsed: Duration) {
        let started = ContinuousClock.now
        let client = try RawHTTPClient(port: port)
        try client.send(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        let response = try client.readResponse()
        return (response, ContinuousClock.now - started)
    }

    /// Raises this process's soft limit of open files to the hard one (clients of many connections).
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// 1,000 objects of 1 KiB.
    static func thousandObjects() throws -> [UInt8] {
        var encoder = FrameEncoder()
        for i in 0..<1000 {
            try encoder.appendObject(
                ObjectHeader(bucket: Bucket(name: "b"), objectName: "o\(i)", attributes: ObjectAttributes(size: 1024)),
                data: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 1024))
        }
        return encoder.bytes
    }

    @Test func slowlorisFromOneAddressNeitherStarvesOtherPeersNorTheAdminListenerAndIsCutAtTheHeaderTimeout() throws {
        // Defaults but for a listener small enough to fill: header_timeout 10s, per_ip_connections 32.
        let served = try ServedGateway(gateway: #""max_connections": 64"#)
        defer { served.stop() }
        let trickling = try TricklingClients(port: served.port, count: 300, text: Self.slowHead)
        defer { trickling.stop() }
        let perIP = #"objstream_connections_rejected_total{reason="per_ip_connections"}"#
        #expect(eventually { (try? served.value(perIP)) == 268 }, "32 held from 127.0.0.1, the rest refused at once")
        #expect(eventually { trickling.closedCount == 268 })

        // Another peer's stream gets in; then the listener is filled from a third address.
        let stream = try RawHTTPClient(port: served.port, source: "127.0.0.2")
        try stream.send(RawHTTPClient.streamHead("default", sessionID: "2"))
        #expect(eventually { (try? served.value(#"objstream_rx_sessions_active{endpoint="default"}"#)) == 1 })
        let idle = try TricklingClients(port: served.port, count: 31, source: "127.0.0.3", text: Self.slowHead)
        defer { idle.stop() }
        #expect(eventually { (try? served.value("objstream_connections_open")) == 64 })
        let refused = try RawHTTPClient(port: served.port, source: "127.0.0.4")
        #expect(refused.isClosedByPeer(within: .seconds(60)), "the 65th connection is closed at once")
        #expect(try served.value(#"objstream_connections_rejected_total{reason="max_connections"}"#) == 1)

        // The admin listener answers while the stream listener is full, and says it is.
        let health = try Self.timedGet(served.adminPort, "/healthz")
        let metrics = try Self.timedGet(served.adminPort, "/metrics")
        let ready = try Self.timedGet(served.adminPort, "/readyz")
        print("admin listener, stream listener full: /healthz \(health.elapsed), /metrics \(metrics.elapsed), /readyz \(ready.elapsed)")
        #expect(health.response.status == 200 && health.response.body == #"{"status":"ok"}"# + "\n")
        #expect(metrics.response.status == 200)
        #expect(ExpositionText.value(of: "objstream_connections_open", in: metrics.response.body) == 64)
        #expect(ready.response.status == 503)
        #expect(ready.response.body == #"{"reasons":["connections_at_limit"],"status":"not_ready"}"# + "\n")

        // The stream from 127.0.0.2 delivers its 1,000 objects meanwhile.
        let body = try Self.thousandObjects()
        for start in stride(from: 0, to: body.count, by: 64 << 10) {
            try stream.sendChunk(Array(body[start..<min(start + (64 << 10), body.count)]))
        }
        try stream.endChunked()
        let receipt = try stream.readResponse()
        #expect(receipt.status == 200)
        #expect(receipt.body.hasPrefix(#"{"bytes":1024000,"objects":1000,"#), "\(receipt.body)")
        stream.reset()

        // After header_timeout every trickling connection is gone, none of them before it.
        #expect(eventually(timeout: .seconds(90)) { trickling.openCount == 0 && idle.openCount == 0 })
        let held = (trickling.lifetimes + idle.lifetimes).filter { $0 > .seconds(2) }
        #expect(held.count == 63, "\(held.count) connections were held until their headers' deadline")
        #expect(held.allSatisfy { $0 >= .seconds(10) }, "cut before header_timeout: \(held.filter { $0 < .seconds(10) })")
        print("slowloris connections cut after \(held.min() ?? .zero) ... \(held.max() ?? .zero)")
        let final = try served.metrics()
        for (reason, count) in [
            ("per_ip_connections", 268), ("max_connections", 1), ("header_timeout", 63), ("connection_timeout", 0),
        ] {
            #expect(ExpositionText.value(of: #"objstream_connections_rejected_total{reason="\#(reason)"}"#, in: final) == Double(count), "\(reason)")
        }
        #expect(eventually { (try? served.value("objstream_connections_open")) == 0 })
        #expect(try served.admin("/readyz").body == #"{"status":"ready"}"# + "\n")
    }

    @Test func connectionTimeoutOfFiveSecondsCutsAnIdleStreamNotBeforeFiveSeconds() throws {
        let served = try ServedGateway(gateway: #""connection_timeout": "5s""#)
        defer { served.stop() }
        let stream = try RawHTTPClient(port: served.port)
        try stream.send(RawHTTPClient.streamHead("default"))
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "before-idle"))
        // Taken before the last bytes are written: the gateway cannot have read them earlier.
        let lastByte = ContinuousClock.now
        try stream.sendChunk(encoder.bytes)
        #expect(stream.isClosedByPeer(within: .seconds(60)))
        let idle = ContinuousClock.now - lastByte
        print("connection_timeout 5s: an idle stream was cut after \(idle)")
        #expect(idle >= .seconds(5))
        #expect(eventually { (try? served.value(#"objstream_connections_rejected_total{reason="connection_timeout"}"#)) == 1 })
        #expect(try served.value(#"objstream_rx_objects_total{endpoint="default"}"#) == 1)
    }

    @Test func twoThousandConcurrentIdleStreamsAreAllAcceptedWithinTheStatedMemoryAndThreads() throws {
        Self.raiseOpenFileLimit()
        let served = try ServedGateway(gateway: #""max_connections": 2100, "per_ip_connections": 0"#)
        defer { served.stop() }
        let idleRSS = served.residentBytes
        let idleThreads = served.threads
        var streams: [RawHTTPClient] = []
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "hello"))
        let started = ContinuousClock.now
        for i in 0..<2000 {
            let stream = try RawHTTPClient(port: served.port)
            try stream.send(RawHTTPClient.streamHead("default", sessionID: String(i)))
            try stream.sendChunk(encoder.bytes)
            streams.append(stream)
        }
        var active = -1.0
        #expect(
            eventually(timeout: .seconds(120)) {
                active = (try? served.value(#"objstream_rx_sessions_active{endpoint="default"}"#)) ?? -1
                return active == 2000
            }, "\(active) sessions active, \(served.threads) threads\(served.process.exitReport)")
        let opened = ContinuousClock.now - started
        let metrics = try Self.timedGet(served.adminPort, "/metrics")
        #expect(metrics.response.status == 200)
        #expect(ExpositionText.value(of: "objstream_connections_open", in: metrics.response.body) == 2000)
        #expect(ExpositionText.value(of: #"objstream_rx_objects_total{endpoint="default"}"#, in: metrics.response.body) == 2000)
        let rss = served.residentBytes
        let threads = served.threads
        print(
            "2000 idle streams: opened in \(opened), /metrics in \(metrics.elapsed); RSS \(idleRSS >> 20) MiB idle -> "
                + "\(rss >> 20) MiB (\(((rss - idleRSS) / 2000) >> 10) KiB a stream); threads \(idleThreads) -> \(threads)")
        // The README's bounds: a thread per connection and at most 64 more; at most 64 MiB plus
        // 160 KiB per idle stream.
        #expect(threads <= 2000 + 64, "\(threads) threads")
        #expect(rss <= (64 << 20) + 2000 * (160 << 10), "\(rss >> 20) MiB")
        for stream in streams { stream.reset() }
        streams.removeAll()
        var open = -1.0
        #expect(
            eventually(timeout: .seconds(120)) {
                open = (try? served.value("objstream_connections_open")) ?? -1
                return open == 0
            }, "\(open) connections still open, \(served.threads) threads\(served.process.exitReport)")
    }

    @Test func anLZ4StreamBeyondLZ4MemoryIsAnswered503BeforeItsBodyIsReadAndMemoryStaysBounded() throws {
        // 64 MiB takes 7 streams that may announce 4 MiB blocks (8584 KiB each).
        let served = try ServedGateway(gateway: #""lz4_memory": "64MiB", "per_ip_connections": 0"#)
        defer { served.stop() }
        let baseline = served.residentBytes
        let reservation = LZ4FrameDecoder.memory(blockSize: 4 << 20)
        let admitted = (64 << 20) / reservation
        #expect(admitted == 7)

        // Each stream: its head and an lz4 frame with 4 MiB blocks whose first block (4 MiB of an
        // 8 MiB object) makes liblz4 fill both its buffers; the body stays open.
        let lz4 = try LZ4FrameEncoder(blockSize: .mib4)
        var compressed: [UInt8] = []
        try lz4.begin { compressed += $0 }
        let header = try HeaderCodec.encode(
            ObjectHeader(bucket: Bucket(name: "b"), objectName: "big", attributes: ObjectAttributes(size: 8 << 20)))
        let text = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: ($0 / 3) ^ ($0 >> 11)) }
        try (ProtoHeader(length: UInt64(header.count)).bytes + header + text).withUnsafeBytes { raw in
            try lz4.compress(raw) { compressed += $0 }
        }
        try lz4.flush { compressed += $0 }
        let descriptor = Array(compressed.prefix(7))

        let rejectedSeries = #"objstream_connections_rejected_total{reason="lz4_memory"}"#
        let activeSeries = #"objstream_rx_sessions_active{endpoint="default"}"#
        var streams: [RawHTTPClient] = []
        var answers: [Int: RawHTTPClient.Response] = [:]
        for i in 0..<100 {
            let stream = try RawHTTPClient(port: served.port)
            // Head and descriptor in one write: a refused stream is answered and closed at its head.
            try stream.send(
                RawHTTPClient.streamHead("default", sessionID: String(i), compressed: true)
                    + Array("\(String(descriptor.count, radix: 16))\r\n".utf8) + descriptor + [13, 10])
            streams.append(stream)
            // Wait until the gateway has decided on this stream: taken, or answered.
            #expect(eventually {
                let text = (try? served.metrics()) ?? ""
                return (ExpositionText.value(of: rejectedSeries, in: text) ?? 0)
                    + (ExpositionText.value(of: activeSeries, in: text) ?? 0) == Double(i + 1)
            })
            if i >= admitted {
                // Answered while its body is still open: nothing of it beyond the descriptor was read.
                answers[i] = try stream.readResponse()
            }
        }
        #expect(answers.count == 100 - admitted)
        #expect(answers.values.allSatisfy { $0.status == 503 && $0.body.hasPrefix(#"{"code":"lz4_memory","error":""#) })
        #expect(try served.value(rejectedSeries) == Double(100 - admitted))
        #expect(try served.value("objstream_lz4_memory_reserved_bytes") == Double(admitted * reservation))

        // The admitted streams send their first block; liblz4 holds two 4 MiB buffers for each.
        for stream in streams.prefix(admitted) { try stream.sendChunk(Array(compressed.dropFirst(7))) }
        #expect(eventually(timeout: .seconds(120)) {
            (try? served.value(#"objstream_rx_bytes_total{endpoint="default"}"#)) == Double(admitted * (4 << 20))
        })
        let rss = served.residentBytes
        print("lz4_memory 64 MiB, 100 streams of 4 MiB blocks: \(admitted) taken, \(100 - admitted) answered 503; RSS \(baseline >> 20) MiB -> \(rss >> 20) MiB")
        #expect(rss - baseline <= (64 << 20) + (32 << 20), "the decompressors hold \((rss - baseline) >> 20) MiB")
        for stream in streams { stream.reset() }
        #expect(eventually { (try? served.value("objstream_lz4_memory_reserved_bytes")) == 0 })
    }

    @Test func aStreamOverIPv6LoopbackIsDeliveredAndTheUnspecifiedIPv6AddressTakesIPv4Too() throws {
        for (listen, urls) in [("[::1]:0", ["[::1]"]), ("[::]:0", ["[::1]", "127.0.0.1"])] {
            let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--listen", listen])
            defer { serve.stop() }
            let shown = listen.replacingOccurrences(of: ":0", with: ":")
            let port = try serve.reportedPort(after: "objstream: listening on \(shown)")
            for host in urls {
                let send = try ChildProcess.run(
                    TestPaths.objstreamBinary.path,
                    ["send", "http://\(host):\(port)/v1/objstream/default", "--synthetic", "100", "--size", "1KiB"])
                #expect(send.status == 0, "\(listen) from \(host): \(send.stderr)")
                #expect(send.stdout.hasPrefix("sent 100 objects, 102400 bytes"), "\(send.stdout)")
            }
            #expect(serve.line(containing: "remote=[::1]:") != nil, "\(serve.text)")
        }
    }

    /// `config check` and `serve` agree on listen strings, good and bad.
    @Test(arguments: [
        ("127.0.0.1:0", true), ("0.0.0.0:0", true), ("127.0.0.2:0", true), ("[::1]:0", true), ("[::]:0", true),
        ("[0:0:0:0:0:0:0:1]:0", true), ("[::ffff:127.0.0.1]:0", true), ("localhost:0", true),
        ("127.0.0.1", false), ("127.0.0.1:65536", false), ("::1:0", false), ("[::1]", false), ("256.1.1.1:0", false),
        ("1.2.3:0", false), ("127.1:0", false), ("no-such-host.invalid:0", false), ("192.0.2.1:0", false),
        ("[2001:db8::1]:0", false), ("[fe80::1%lo]:0", false), ("local host:0", false),
    ])
    func configCheckAndServeAgreeOnAListenString(listen: String, servable: Bool) throws {
        let folder = try TestPaths.temporaryDirectory("objstream-listen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("objstream.json")
        try Data(#"{"listen": "\#(listen)"}"#.utf8).write(to: config)
        let check = try ChildProcess.run(TestPaths.objstreamBinary.path, ["config", "check", config.path])
        #expect((check.status == 0) == servable, "config check \(listen): \(check.stdout)\(check.stderr)")
        let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--config", config.path])
        defer { serve.stop() }
        let line = serve.line(containing: "objstream: listening on ")
        #expect((line != nil) == servable, "serve \(listen): \(serve.text)")
        if servable {
            #expect(line?.hasPrefix("objstream: listening on \(listen.dropLast(2))") == true, "\(line ?? "")")
        } else {
            #expect(serve.waitForExit() == 2)
            #expect(serve.stderr.contains(#"listen: "\#(listen)": "#), "serve names what check names: \(serve.stderr)")
            #expect(check.stderr.contains(#"listen: "\#(listen)": "#), "\(check.stderr)")
        }
    }

    @Test func readyzSaysDrainingDuringTheGracePeriodWhileHealthzSaysAlive() throws {
        let served = try ServedGateway(gateway: #""grace_period": "60s""#)
        let stream = try RawHTTPClient(port: served.port)
        try stream.send(RawHTTPClient.streamHead("default"))
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "in-flight"))
        try stream.sendChunk(encoder.bytes)
        #expect(eventually { (try? served.value(#"objstream_rx_sessions_active{endpoint="default"}"#)) == 1 })
        #expect(try served.admin("/readyz").body == #"{"status":"ready"}"# + "\n")
        served.process.signal(SIGTERM)
        #expect(eventually { (try? served.admin("/readyz").status) == 503 })
        let ready = try served.admin("/readyz")
        #expect(ready.body == #"{"reasons":["draining"],"status":"not_ready"}"# + "\n")
        #expect(try served.admin("/healthz").status == 200)
        try stream.endChunked()
        #expect(try stream.readResponse().status == 200)
        #expect(served.process.waitForExit() == 0)
        #expect(served.process.stderrLines.last == "objstream: stopped", "\(served.process.stderrLines)")
    }

    @Test func wireNamesAndSenderIDsCannotForgeLogLinesAndRefusalsAreRateLimited() throws {
        let served = try ServedGateway(endpoints: #"{"name": "keep", "action": "store"}"#)
        defer { served.stop() }
        let forged = "../x\nobjstream: session sender=admin sid=1 endpoint=keep result=ok \"\u{1B}[2J\u{2028}"
        var encoder = FrameEncoder()
        for i in 0..<1000 {
            try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: forged + String(i)))
        }
        let client = try RawHTTPClient(port: served.port)
        try client.send(RawHTTPClient.streamHead("keep", sender: "evil\u{1B}[31m id"))
        try client.sendChunk(encoder.bytes)
        try client.endChunked()
        let receipt = try client.readResponse()
        #expect(receipt.status == 200)
        #expect(receipt.body.contains(#""objects":0,"#), "\(receipt.body.prefix(200))")
        // The session's line comes once the request has ended, after its answer.
        #expect(eventually { served.process.stderrLines.contains { $0.hasPrefix("objstream: session sender=") } })
        let lines = served.process.stderrLines
        #expect(!lines.contains { $0.hasPrefix("objstream: session sender=admin") }, "a forged line")
        #expect(lines.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" } }, "raw control bytes")
        let session = try #require(lines.first { $0.hasPrefix("objstream: session sender=") }, "\(lines)")
        #expect(session.hasPrefix(#"objstream: session sender="evil\x1B[31m id" sid=101 endpoint=keep "#), "\(session)")
        let refusals = lines.filter { $0.contains(": refused object ") }
        // The name, quoted by the store (NameEscaping: `\n`, `\"`, other controls as `\xNN` bytes).
        #expect(!refusals.isEmpty)
        #expect(refusals.allSatisfy { $0.contains(#""../x\nobjstream: session sender=admin sid=1 endpoint=keep result=ok \""#) })
        let suppressed = lines.compactMap { line -> Int? in
            guard line.hasPrefix("objstream: suppressed ") else { return nil }
            return Int(line.split(separator: " ")[2])
        }
        #expect(refusals.count + suppressed.reduce(0, +) == 1000, "\(refusals.count) lines, \(suppressed) suppressed")
        #expect(!suppressed.isEmpty, "1,000 refusals in one stream are more than the limit lets through")
    }
}

/// A held stream that the gateway must keep: apart, so that its 30 seconds overlap the others.
@Suite struct ConnectionTimeoutNeverTests {
    @Test func connectionTimeoutZeroKeepsAnIdleStreamOpenForThirtySeconds() throws {
        let served = try ServedGateway(gateway: #""connection_timeout": "0s""#)
        defer { served.stop() }
        let stream = try RawHTTPClient(port: served.port)
        try stream.send(RawHTTPClient.streamHead("default"))
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "before-idle"))
        try stream.sendChunk(encoder.bytes)
        #expect(eventually { (try? served.value(#"objstream_rx_objects_total{endpoint="default"}"#)) == 1 })
        // Thirty seconds of nothing: the gateway must not close the connection.
        #expect(!stream.isClosedByPeer(within: .seconds(30)), "connection_timeout 0s cut an idle stream")
        var after = FrameEncoder()
        try after.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "after-idle"))
        try stream.sendChunk(after.bytes)
        try stream.endChunked()
        let receipt = try stream.readResponse()
        #expect(receipt.status == 200 && receipt.body.hasPrefix(#"{"bytes":0,"objects":2,"#), "\(receipt.body)")
        #expect(try served.value(#"objstream_connections_rejected_total{reason="connection_timeout"}"#) == 0)
    }
}
