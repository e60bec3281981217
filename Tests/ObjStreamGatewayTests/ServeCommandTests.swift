import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServeCommandTests {
    /// Entries of `/proc/PID/fd` (open descriptors) and `/proc/PID/task` (threads) of a process.
    private func openDescriptorsAndThreads(of process: ChildProcess) -> (fds: Int, threads: Int) {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd").count) ?? -1
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/task").count) ?? -1
        return (fds, threads)
    }

    private func probe(_ name: String) throws -> [UInt8] {
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: name))
        return encoder.bytes
    }

    @Test func serveOnAnEphemeralPortReceivesAProbeAndExitsZeroOnSIGTERM() throws {
        let store = try TestPaths.temporaryDirectory("objstream-serve")
        defer { try? FileManager.default.removeItem(at: store) }
        let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0", "--endpoint", "probe", "--endpoint", "keep=store", "--store", store.path])
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let pipeline = "'\(TestPaths.objstreamBinary.path)' frame --bucket gs://bk --object probe"
            + " | curl -sS -X PUT --data-binary @- -H 'Ais-Session-Id: 4242' -H 'Ais-Caller-Id: node-7'"
            + " -w '%{http_code}' http://127.0.0.1:\(port)/v1/objstream/probe"
        let result = try ChildProcess.run("/bin/sh", ["-c", pipeline])
        #expect(result.stdout == #"{"bytes":0,"objects":1,"refused":[]}"# + "\n200", "\(result.stderr)")
        let stored = try ChildProcess.run(
            "/bin/sh",
            ["-c", "'\(TestPaths.objstreamBinary.path)' frame --bucket s3://bk --object kept --data /etc/hostname"
                + " | curl -sS -X PUT --data-binary @- -w '%{http_code}' http://127.0.0.1:\(port)/v1/objstream/keep"])
        #expect(stored.stdout.hasPrefix(#"{"bytes":"#) && stored.stdout.hasSuffix(#","objects":1,"refused":[]}"# + "\n200"), "\(stored.stderr)")
        let metrics = try Curl.run(["http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.body.contains("objstream_rx_objects_total{endpoint=\"probe\"} 1"))
        #expect(serve.stop(signal: SIGTERM) == 0)
        let lines = serve.stderrLines
        #expect(
            lines.contains {
                $0.contains("session sender=node-7 sid=4242 endpoint=probe") && $0.contains("objects=1")
                    && $0.contains("result=ok")
            }, "\(lines)")
        #expect(lines.last == "objstream: stopped", "\(lines)")
        let kept = try Data(contentsOf: store.appendingPathComponent("aws/@global/bk/kept"))
        #expect(kept == (try Data(contentsOf: URL(fileURLWithPath: "/etc/hostname"))))
    }

    @Test func aThousandShortSessionsLeaveDescriptorsAndThreadsWhereTheyStarted() throws {
        let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0", "--endpoint", "probe"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let body = try probe("p")
        func session(_ i: Int) throws -> Int {
            let client = try RawHTTPClient(port: port)
            try client.send(
                RawHTTPClient.streamHead("probe", chunked: false, contentLength: body.count, sessionID: String(1000 + i)))
            try client.send(body)
            return try client.readResponse().status
        }
        // Started and idle: the startup line comes after the daemon's threads exist.
        let baseline = openDescriptorsAndThreads(of: serve)
        #expect(baseline.fds > 0 && baseline.threads > 0)
        var statuses: [Int: Int] = [:]
        for i in 1...1000 { statuses[try session(i), default: 0] += 1 }
        #expect(statuses == [200: 1000])
        var now = openDescriptorsAndThreads(of: serve)
        let settled = eventually {
            now = openDescriptorsAndThreads(of: serve)
            return now.fds == baseline.fds && now.threads == baseline.threads
        }
        #expect(settled, "baseline \(baseline), after 1000 sessions \(now)")
        let metrics = try Curl.run(["http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.body.contains("objstream_rx_sessions_total{endpoint=\"probe\"} 1000"))
        #expect(metrics.body.contains("objstream_rx_sessions_active{endpoint=\"probe\"} 0"))
    }

    @Test func sigtermGivesAnOpenStreamItsGracePeriod() throws {
        let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0", "--endpoint", "probe"])
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let payload = PayloadPattern.bytes(for: "graceful", size: 200_000)
        var encoder = FrameEncoder()
        try encoder.appendObject(
            ObjectHeader(bucket: Bucket(name: "b"), objectName: "graceful", attributes: ObjectAttributes(size: 200_000)),
            data: payload)
        let client = try RawHTTPClient(port: port)
        try client.send(RawHTTPClient.streamHead("probe", sessionID: "77"))
        try client.sendChunk(Array(encoder.bytes.prefix(100_000)))
        let open = eventually {
            (try? Curl.run(["http://127.0.0.1:\(port)/metrics"]).body.contains("objstream_rx_sessions_active{endpoint=\"probe\"} 1"))
                == true
        }
        #expect(open)
        serve.signal(SIGTERM)
        #expect(eventually { serve.stderrLines.contains { $0.contains("stopping, 1 open session(s)") } }, "\(serve.stderrLines)")
        try client.sendChunk(Array(encoder.bytes.dropFirst(100_000)))
        try client.endChunked()
        #expect(try client.readResponse().status == 200)
        #expect(serve.stop(signal: SIGTERM) == 0)
        let lines = serve.stderrLines
        #expect(lines.contains { $0.contains("sid=77 endpoint=probe") && $0.contains("bytes=200000") && $0.contains("result=ok") }, "\(lines)")
        #expect(lines.last == "objstream: stopped", "\(lines)")
    }

    @Test func serveTakesEndpointsAndGatewaySettingsFromTheConfigFile() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("objstream.json")
        try Data(
            #"{"listen": "127.0.0.1:0", "endpoints": [{"name": "cfg", "action": "sink"}], "gateway": {"grace_period": "2s"}}"#
                .utf8
        ).write(to: config)
        let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--config", config.path, "--endpoint", "extra"])
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        #expect(try Curl.run(["-X", "PUT", "--data-binary", "", "http://127.0.0.1:\(port)/v1/objstream/cfg"]).status == 200)
        #expect(try Curl.run(["-X", "PUT", "--data-binary", "", "http://127.0.0.1:\(port)/v1/objstream/extra"]).status == 200)
        #expect(try Curl.run(["-X", "PUT", "--data-binary", "", "http://127.0.0.1:\(port)/v1/objstream/default"]).status == 404)
        #expect(serve.stop(signal: SIGINT) == 0)
        #expect(serve.stderrLines.contains { $0.hasSuffix("grace 2.0 seconds") }, "\(serve.stderrLines)")

        try Data(#"{"gateway": {"max_connections": "many"}, "bogus": 1}"#.utf8).write(to: config)
        let bad = try ChildProcess.run(TestPaths.objstreamBinary.path, ["serve", "--config", config.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("gateway.max_connections"), "\(bad.stderr)")
        #expect(bad.stderr.contains("bogus"), "\(bad.stderr)")
    }

    @Test func serveTakesStoreSyncFromTheConfigFileAndTheCommandLineAndRefusesAnUnknownMode() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-sync")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("objstream.json")
        let store = folder.appendingPathComponent("store").path
        try Data(#"{"listen": "127.0.0.1:0", "store_dir": "\#(store)", "store_sync": "none"}"#.utf8).write(to: config)
        for (extra, mode) in [([String](), "none"), (["--store-sync", "object"], "object")] {
            let serve = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--config", config.path] + extra)
            let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
            #expect(serve.stderrLines.contains { $0.hasSuffix("store \(store) (sync \(mode))") }, "\(serve.stderrLines)")
            var encoder = FrameEncoder()
            try encoder.appendObject(
                ObjectHeader(bucket: Bucket(name: "b"), objectName: mode, attributes: ObjectAttributes(size: 3)), data: [1, 2, 3])
            let client = try RawHTTPClient(port: port)
            try client.send(RawHTTPClient.streamHead("store"))
            try client.sendChunk(encoder.bytes)
            try client.endChunked()
            #expect(try client.readResponse().status == 200)
            let syncs = ExpositionText.value(of: "objstream_store_sync_duration_seconds_count", in: try Curl.scrape(port))
            #expect(syncs == (mode == "none" ? 0 : 2), "a file and its folder under object, none under none")
            #expect(serve.stop() == 0)
        }
        let listed = try ChildProcess.run(TestPaths.objstreamBinary.path, ["store", "ls", store])
        #expect(listed.stdout == "ais://b/none\nais://b/object\n", "\(listed.stderr)")
        let bad = try ChildProcess.run(TestPaths.objstreamBinary.path, ["serve", "--store-sync", "sometimes"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--store-sync 'sometimes' is not none, object or request"), "\(bad.stderr)")
    }
}
