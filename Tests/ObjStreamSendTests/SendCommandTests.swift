import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// `objstream send` as a real process against the real gateway.
@Suite struct SendCommandTests {
    private func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(TestPaths.objstreamBinary.path, ["send"] + arguments)
    }

    @Test func sendsADirectoryRecursivelyWithRelativeNamesAndPrintsTheSummary() throws {
        let gateway = try LoopbackGateway(digests: true, names: ["default"])
        defer { gateway.kill() }
        let dir = try TestPaths.temporaryDirectory("objstream-tx-cli")
        var expected: [String: (Int, UInt64)] = [:]
        for (name, size) in [("a.bin", 1000), ("sub/b.bin", 0), ("sub/deeper/c.bin", 300_000)] {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let data = PayloadPattern.bytes(for: name, size: size)
            try Data(data).write(to: url)
            expected[name] = (size, TestObjects.digest(data))
        }
        let port = gateway.gateway.port
        let result = try run(["http://127.0.0.1:\(port)", dir.path, "--bucket", "ais://cli", "--sender", "cli-tx"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 3 objects, 301000 bytes in "))
        #expect(result.stdout.contains(", 0 failed"))
        #expect(gateway.waitFor { $0.count == 1 && $0[0].complete })
        let objects = gateway.objects
        #expect(objects.map(\.header.objectName) == ["a.bin", "sub/b.bin", "sub/deeper/c.bin"])
        #expect(objects.allSatisfy { $0.header.bucket == Bucket(name: "cli", provider: "ais") && $0.header.senderID == "cli-tx" })
        for o in objects {
            #expect(o.size == expected[o.header.objectName]?.0)
            #expect(o.digest == expected[o.header.objectName]?.1)
        }
    }

    @Test func syntheticObjectsGoOverSeveralCompressedPDUStreams() throws {
        let gateway = try LoopbackGateway(names: ["syn"])
        defer { gateway.kill() }
        let result = try run([
            "http://127.0.0.1:\(gateway.gateway.port)/v1/objstream/syn", "--synthetic", "500", "--size", "10KiB",
            "--streams", "3", "--compress", "--pdu", "4KiB",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 500 objects, 5120000 bytes in "))
        #expect(gateway.waitFor { $0.count == 3 && $0.allSatisfy(\.complete) })
        #expect(gateway.objects.count == 500)
        #expect(gateway.sessions.reduce(0) { $0 + $1.dataBytes } == 5_120_000)
        #expect(Set(gateway.sessions.map(\.sessionID)).count == 3)
    }

    @Test func aStreamRefusedWith404ExitsOneNamingTheStatus() throws {
        let gateway = try LoopbackGateway(names: ["other"])
        defer { gateway.kill() }
        let result = try run(["http://127.0.0.1:\(gateway.gateway.port)/v1/objstream/nope", "--synthetic", "5", "--size", "1KiB"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("failed: stream nope["))
        #expect(result.stderr.contains("404"))
        // Issue 9 (confirmed delivery): objects of a refused stream were not received, so none
        // counts as sent. Until it lands they count as written to the socket: a known issue.
        withKnownIssue("issue 9: objects written to a stream that the receiver refused count as sent") {
            #expect(result.stdout.hasPrefix("sent 0 objects, 0 bytes in "), "\(result.stdout)")
            #expect(result.stdout.contains(", 6 failed"), "\(result.stdout)")
        }
    }

    @Test func theSummaryNamesTwentyFailuresAndCountsTheRestByCode() throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let result = try run(["http://127.0.0.1:\(refusing.port)/v1/objstream/x", "--synthetic", "50", "--size", "1"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        let named = lines.filter { $0.hasPrefix("failed: ") }
        #expect(named.count == 20, "\(result.stderr)")
        #expect(named.first?.hasPrefix("failed: synthetic/0: connect_failed: ") == true, "\(result.stderr)")
        #expect(named.allSatisfy { $0.contains("127.0.0.1:\(refusing.port)") })
        // 50 objects and the stream itself: 51 failures, 31 of them counted.
        #expect(lines.last == "... and 31 more failed: connect_failed 31", "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 0 objects, 0 bytes in ") && result.stdout.hasSuffix(", 51 failed\n"), "\(result.stdout)")
    }

    @Test func fiveThousandFilesArriveFromASenderLimitedTo256OpenFiles() throws {
        let serve = try ChildProcess(
            TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0", "--endpoint", "files=sink"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let dir = try TestPaths.temporaryDirectory("objstream-nofile")
        let count = 5000
        for i in 0..<count {
            try Data(PayloadPattern.bytes(for: "f\(i)", size: 100 + i % 900)).write(to: dir.appendingPathComponent("f\(i)"))
        }
        let total = (0..<count).reduce(0) { $0 + 100 + $1 % 900 }
        // The soft and the hard limit 256: far below a queue of 1024 objects with open files.
        let result = try ChildProcess.run(
            "/bin/sh",
            ["-c", #"ulimit -n 256 && exec "$0" send "$@""#, TestPaths.objstreamBinary.path,
             "http://127.0.0.1:\(port)/v1/objstream/files", dir.path])
        #expect(result.status == 0, "\(result.stderr.prefix(2000))\nserve: \(serve.text)")
        #expect(result.stdout.hasPrefix("sent \(count) objects, \(total) bytes in "), "\(result.stdout)")
        let metrics = try Curl.scrape(port)
        #expect(ExpositionText.value(of: #"objstream_rx_objects_total{endpoint="files"}"#, in: metrics) == Double(count))
        #expect(ExpositionText.value(of: #"objstream_rx_bytes_total{endpoint="files"}"#, in: metrics) == Double(total))
    }

    @Test func sendRaisesItsSoftLimitOnOpenFilesToTheHardLimit() throws {
        let gateway = try LoopbackGateway(names: ["default"])
        defer { gateway.kill() }
        let sender = try ChildProcess(
            "/bin/sh",
            ["-c", #"ulimit -Sn 256 && ulimit -Hn 4096 && exec "$0" send "$@""#, TestPaths.objstreamBinary.path,
             "http://127.0.0.1:\(gateway.gateway.port)", "--synthetic", "1", "--size", "1",
             "--metrics-listen", "127.0.0.1:0", "--linger", "10m"])
        defer { sender.stop() }
        let port = try sender.reportedPort(after: "objstream send: metrics on 127.0.0.1:")
        // process_max_fds is the soft limit.
        #expect(ExpositionText.value(of: "process_max_fds", in: try Curl.scrape(port)) == 4096)
    }

    @Test func usageErrorsExitWithTwoAndSayWhatIsWrong() throws {
        let noURL = try run([])
        #expect(noURL.status == 2 && noURL.stderr.contains("URL is required"))
        let badPDU = try run(["http://127.0.0.1:1", "--synthetic", "1", "--size", "1", "--pdu", "1MiB"])
        #expect(badPDU.status == 2 && badPDU.stderr.contains("--pdu '1MiB'"))
        let missing = try run(["http://127.0.0.1:1", "/nonexistent/objstream"])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/objstream: no such file"))
    }
}
