import Foundation
import ObjStreamMetrics
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// What is retried within the retry window besides a refused connect: a temporary name
/// resolution failure, and a connection reset before the request's first byte.
@Suite struct ConnectRetryTests {
    /// `objstream_tx_retries_total` of a registry.
    private static func retries(in metrics: MetricsRegistry) -> Double {
        ExpositionText.value(of: "objstream_tx_retries_total", in: metrics.render()) ?? 0
    }

    @Test func aConnectionResetBeforeTheRequestsFirstByteIsRetriedOnANewConnection() throws {
        // Holds every connection unread until told to reset them (a client that some other test
        // left retrying on this port number is held and reset too, harmlessly).
        let server = try RawStreamServer(holdingConnections: true)
        defer { server.kill() }
        let metrics = MetricsRegistry()
        let stream = try ObjStream(url: server.url("reset"), options: TestObjects.options { $0.metrics = metrics })
        let log = CompletionLog()
        // The first object's bytes wait at a gate, so nothing is written until the server has
        // reset the connection: the first write of the request (head and first chunk) finds it reset.
        let gate = GateSource(bytes: [1, 2, 3])
        try stream.send(OutgoingObject(
            header: ObjectHeader(objectName: "r0", attributes: ObjectAttributes(size: 3)), source: gate, context: 0,
            callback: log.callback))
        for i in 1..<5 {
            try stream.send(.bytes(ObjectHeader(objectName: "r\(i)"), [UInt8](repeating: 1, count: 100), context: i, callback: log.callback))
        }
        // The stream has connected (it reads the gate), and the server holds every established
        // connection to it: the stream's among them.
        #expect(eventually {
            let held = server.heldCount
            return gate.reading.load(ordering: .acquiring) && held >= 1
                && held == LoopbackConnections.established(toPort: server.port).count
        })
        #expect(server.resetHeldConnections() >= 1)
        // Once no connection to the server is established, the reset has reached the stream's socket.
        #expect(eventually { LoopbackConnections.established(toPort: server.port).isEmpty })
        gate.open.store(true, ordering: .releasing)
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream", "\(String(describing: stream.terminationReason))")
        #expect(log.all.map(\.index) == Array(0..<5))
        #expect(log.all.allSatisfy { $0.error == nil })
        let mine = server.requests.filter { $0.requestLine.hasPrefix("PUT /v1/objstream/reset ") }
        #expect(mine.count == 1)
        #expect(mine.flatMap(\.objects).map(\.header.objectName) == (0..<5).map { "r\($0)" })
        #expect(Self.retries(in: metrics) >= 1)
    }

    /// Runs `objstream send ARGS` in a mount namespace of its own, where `/etc/hosts` and
    /// `/etc/resolv.conf` (and, when given, `/etc/nsswitch.conf`) are the test's files.
    private func sendWithResolver(
        _ folder: URL, nsswitch: Bool = false, _ arguments: [String]
    ) throws -> ChildProcess {
        let unshare = try RequiredTool.path("unshare", package: "util-linux")
        var mounts = ["hosts", "resolv.conf"]
        if nsswitch { mounts.append("nsswitch.conf") }
        let script = mounts.map { "mount --bind \(folder.path)/\($0) /etc/\($0)" }.joined(separator: " && ")
            + " && exec \"$0\" send \"$@\""
        return try ChildProcess(
            unshare, ["--user", "--map-root-user", "--mount", "sh", "-c", script, TestPaths.objstreamBinary.path] + arguments)
    }

    /// A folder with a hosts file without `name`, and a resolver that asks a name server on
    /// 127.0.0.1 that is not there (every lookup fails with `EAI_AGAIN`).
    private func resolverFolder() throws -> URL {
        let folder = try TestPaths.temporaryDirectory("objstream-dns")
        try "127.0.0.1 localhost\n".write(to: folder.appendingPathComponent("hosts"), atomically: false, encoding: .utf8)
        try "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n".write(
            to: folder.appendingPathComponent("resolv.conf"), atomically: false, encoding: .utf8)
        try "hosts: files\n".write(to: folder.appendingPathComponent("nsswitch.conf"), atomically: false, encoding: .utf8)
        return folder
    }

    @Test func aTemporaryNameResolutionFailureIsRetriedUntilTheNameResolves() throws {
        let gateway = try LoopbackGateway(names: ["dns"])
        defer { gateway.kill() }
        let folder = try resolverFolder()
        let config = folder.appendingPathComponent("objstream.json")
        // A long window: when the name starts to resolve depends on how fast the test gets there.
        try #"{"sender": {"retry_window": "10m"}}"#.write(to: config, atomically: false, encoding: .utf8)
        let name = "objstream-dns-test"
        let sender = try sendWithResolver(folder, [
            "http://\(name):\(gateway.gateway.port)/v1/objstream/dns", "--synthetic", "5", "--size", "1KiB",
            "--config", config.path, "--metrics-listen", "127.0.0.1:0",
        ])
        defer { sender.stop() }
        let port = try sender.reportedPort(after: "objstream send: metrics on 127.0.0.1:")
        // Retrying: the name server does not answer.
        #expect(eventually {
            let text = (try? Curl.scrape(port)) ?? ""
            return (ExpositionText.value(of: "objstream_tx_retries_total", in: text) ?? 0) >= 1
        })
        // The name appears (the same file, appended: the bind mount follows it).
        let hosts = try FileHandle(forWritingTo: folder.appendingPathComponent("hosts"))
        try hosts.seekToEnd()
        try hosts.write(contentsOf: Data("127.0.0.1 \(name)\n".utf8))
        try hosts.close()
        let outcome = try sender.wait()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("sent 5 objects, 5120 bytes in "), "\(outcome.stdout)")
        #expect(gateway.waitFor { $0.count == 1 && $0[0].complete })
        #expect(gateway.objects.count == 5)
    }

    @Test func aNameThatDoesNotExistFailsAtOnceWithInvalidURL() throws {
        let folder = try resolverFolder()
        let started = ContinuousClock.now
        let sender = try sendWithResolver(folder, nsswitch: true, [
            "http://objstream-no-such-host:9/v1/objstream/x", "--synthetic", "1", "--size", "1",
        ])
        let outcome = try sender.wait()
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("invalid_url: cannot resolve objstream-no-such-host"), "\(outcome.stderr)")
        // Not retried for the 10 s window.
        #expect(started.duration(to: .now) < .seconds(10))
    }
}
