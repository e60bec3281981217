import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

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
        // One stream; how many requests it took depends on when the send queue ran dry.
        #expect(gateway.waitFor { !$0.isEmpty && $0.allSatisfy(\.complete) && Set($0.map(\.sessionID)).count == 1 })
        let objects = gateway.objects
        #expect(objects.map(\.header.objectName) == ["a.bin", "sub/b.bin", "sub/deeper/c.bin"])
        #expect(objects.allSatisfy { $0.header.bucket == Bucket(name: "cli", provider: "ais") && $0.header.senderID == "cli-tx" })
        for o in objects {
            #expect(o.size == expected[o.header.objectName]?.0)
            #expect(o.digest == expected[o.header.objectName]?.1)
        }
    }

    @Test func fileNamesThatAreNotUTF8AreSentWithExactlyTheirBytes() throws {
        let gateway = try LoopbackGateway(digests: true, names: ["default"])
        defer { gateway.kill() }
        let dir = try TestPaths.temporaryDirectory("objstream-tx-bytes")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Linux names are bytes: 0xff is no UTF-8 at all, 0xc3 alone is a cut-short é.
        let names: [[UInt8]] = [
            [0x61, 0xff, 0x2e, 0x62, 0x69, 0x6e], Array("sub/".utf8) + [0xc3], Array("sub/ok-é".utf8),
        ]
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var expected: [[UInt8]: UInt64] = [:]
        for (i, name) in names.enumerated() {
            let data = PayloadPattern.bytes(for: "raw\(i)", size: 1000 * (i + 1))
            let path = Array(dir.path.utf8) + [UInt8(ascii: "/")] + name + [0]
            let fd = path.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
            }
            try #require(fd >= 0, "cannot create \(name): errno \(errno)")
            #expect(data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count)
            close(fd)
            expected[name] = TestObjects.digest(data)
        }
        let result = try run(["http://127.0.0.1:\(gateway.gateway.port)", dir.path, "--bucket", "ais://raw"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 3 objects, 6000 bytes in "), "\(result.stdout)")
        // One stream; how many requests it took depends on when the send queue ran dry.
        #expect(gateway.waitFor { !$0.isEmpty && $0.allSatisfy(\.complete) && Set($0.map(\.sessionID)).count == 1 })
        let objects = gateway.objects
        // In the order of their bytes.
        #expect(objects.map { $0.header.bytes(of: .objectName) } == names.sorted { $0.lexicographicallyPrecedes($1) })
        for object in objects {
            #expect(object.digest == expected[object.header.bytes(of: .objectName)])
        }
        #expect(objects.map(\.header.objectName) == ["a\u{FFFD}.bin", "sub/ok-é", "sub/\u{FFFD}"])
        #expect(objects.filter { $0.header.undecodedStrings.isEmpty }.map(\.header.objectName) == ["sub/ok-é"])
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
        // Confirmed delivery ends requests as it goes: three streams, one or more requests each.
        #expect(gateway.waitFor { Set($0.map(\.sessionID)).count == 3 && $0.allSatisfy(\.complete) })
        #expect(gateway.objects.count == 500)
        #expect(gateway.sessions.reduce(0) { $0 + $1.dataBytes } == 5_120_000)
        #expect(Set(gateway.sessions.map(\.sessionID)).count == 3)
    }

    @Test func aStreamRefusedWith404ReportsEveryObjectFailedAndNoneSent() throws {
        let gateway = try LoopbackGateway(names: ["other"])
        defer { gateway.kill() }
        let result = try run(["http://127.0.0.1:\(gateway.gateway.port)/v1/objstream/nope", "--synthetic", "5", "--size", "1KiB"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("stream failed: stream nope["), "\(result.stderr)")
        #expect(result.stderr.contains("404"))
        // Not retried: an unknown endpoint stays unknown.
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("stream failed: ") }.count == 1)
        #expect(result.stdout.hasPrefix("sent 0 objects, 0 bytes in "), "\(result.stdout)")
        #expect(result.stdout.hasSuffix(", 5 failed\n"), "\(result.stdout)")
    }

    @Test func aReferenceReceiverThatAnswersAnEmptyOKGetsEveryObjectReportedDelivered() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let folder = try TestPaths.temporaryDirectory("objstream-send-go")
        let report = folder.appendingPathComponent("report.json")
        let result = try run([server.url("go"), "--synthetic", "40", "--size", "3KiB", "--report", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 40 objects, 122880 bytes in "), "\(result.stdout)")
        #expect(try String(contentsOf: report, encoding: .utf8) == #"{"delivered":40,"failed":[]}"# + "\n")
        #expect(server.objects.count == 40)
    }

    @Test func everyChecksumTypeGoesFromSendToAStoreThatVerifiesIt() throws {
        let root = try TestPaths.temporaryDirectory("objstream-send-checksums")
        let files = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        for (i, size) in [0, 1, 4095, 300_000].enumerated() {
            try Data(PayloadPattern.bytes(for: "c\(i)", size: size)).write(to: files.appendingPathComponent("c\(i)"))
        }
        let serve = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["serve", "--listen", "127.0.0.1:0", "--store", root.appendingPathComponent("store").path, "--endpoint", "s=store"])
        defer { _ = serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let types = ["xxhash", "xxhash2", "md5", "crc32c", "sha256", "sha512"]
        for type in types {
            let result = try run([
                "http://127.0.0.1:\(port)/v1/objstream/s", files.path, "--bucket", "ais://\(type)", "--checksum", type,
            ])
            #expect(result.status == 0, "\(type): \(result.stderr)")
            #expect(result.stdout.hasPrefix("sent 4 objects, "), "\(type): \(result.stdout)")
        }
        let metrics = try Curl.scrape(port)
        for type in types {
            // The empty object carries its checksum too.
            #expect(ExpositionText.value(of: "objstream_store_verified_total{type=\"\(type)\"}", in: metrics) == 4, "\(type)")
        }
        #expect(ExpositionText.value(of: #"objstream_store_refused_total{reason="checksum_mismatch"}"#, in: metrics) ?? 0 == 0)
    }

    @Test func theSummaryNamesTwentyFailuresAndCountsTheRestByCode() throws {
        let refusing = try LoopbackSocket(.refusing)
        defer { refusing.close() }
        let result = try run([
            "http://127.0.0.1:\(refusing.port)/v1/objstream/x", "--synthetic", "50", "--size", "1", "--retries", "0",
        ])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        let named = lines.filter { $0.hasPrefix("failed: ") }
        #expect(named.count == 20, "\(result.stderr)")
        #expect(named.first?.hasPrefix("failed: synthetic/0: connect_failed: ") == true, "\(result.stderr)")
        #expect(named.allSatisfy { $0.contains("127.0.0.1:\(refusing.port)") })
        // 50 objects: 20 named, 30 counted; the stream's own failure is a line of its own.
        #expect(lines.last == "... and 30 more failed: connect_failed 30", "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("stream failed: stream x[") }, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("sent 0 objects, 0 bytes in ") && result.stdout.hasSuffix(", 50 failed\n"), "\(result.stdout)")
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
