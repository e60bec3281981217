import Foundation
import ObjStreamTestSupport
import Testing

/// `objstream config check|print` as a real process.
@Suite struct ConfigCommandTests {
    private let binary = TestPaths.objstreamBinary.path
    private let shipped = TestPaths.packageRoot.appendingPathComponent("config/objstream.json").path

    private func write(_ json: String) throws -> String {
        let path = try TestPaths.temporaryDirectory("objstream-config").appendingPathComponent("objstream.json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func checkAcceptsTheShippedConfig() throws {
        let result = try ChildProcess.run(binary, ["config", "check", shipped])
        #expect(result.status == 0, "\(result.stderr)")
        let prefix = "\(shipped): ok (listen 127.0.0.1:9080, endpoints default=sink,store=store,"
            + " store ./objstream-store sync request, max_connections 256 of at most "
        #expect(result.stdout.hasPrefix(prefix) && result.stdout.hasSuffix(")\n"), "\(result.stdout)")
        #expect(Int(result.stdout.dropFirst(prefix.count).dropLast(2)) != nil, "\(result.stdout)")
        #expect(result.stderr.isEmpty)
    }

    @Test func checkClusterAcceptsTheShippedMapAndNamesEachProblem() throws {
        let shippedMap = TestPaths.packageRoot.appendingPathComponent("config/cluster.json").path
        let good = try ChildProcess.run(binary, ["config", "check", "--cluster", shippedMap])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout == "\(shippedMap): ok (version 1, 3 nodes, 0 with public keys)\n")
        let path = try write(#"{"version": 2, "nodes": [{"id": "a", "url": "http://h:1"}, {"id": "a", "url": "http://h:2"}]}"#)
        let bad = try ChildProcess.run(binary, ["config", "check", "--cluster", path])
        #expect(bad.status == 1)
        #expect(bad.stderr == #"nodes[1].id: "a": duplicates the id of nodes[0]; ids must be unique"# + "\n\(path): 1 problem\n")
    }

    @Test func checkListsEveryProblemAsKeyValueMessageAndFails() throws {
        let path = try write("""
            {"listen": "127.0.0.1", "colour": 1,
             "endpoints": [{"name": "a", "action": "sink"}, {"name": "a", "action": "sink"}],
             "transport": {"burst_buffer": 8192, "idle_teardown": "soon", "lz4_block": "100KiB"}}
            """)
        let result = try ChildProcess.run(binary, ["config", "check", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").map(String.init) == [
            "colour: 1: unknown key (known: listen, admin_listen, store_dir, store_sync, log_level, signing, endpoints, transport, gateway, sender, tls)",
            #"listen: "127.0.0.1": must be "host:port" or "[ipv6]:port" with port 0..65535 (0: any free port)"#,
            #"endpoints[1].name: "a": duplicate endpoint name (also endpoints[0])"#,
            "transport.burst_buffer: 8192: must be an integer in 256..4096",
            #"transport.idle_teardown: "soon": must be a duration string like "500ms", "4s", "2m" >= 1s"#,
            #"transport.lz4_block: "100KiB": must be a size (integer or string with B, KiB, MiB, GiB) one of 64KiB, 256KiB, 1MiB, 4MiB"#,
            "\(path): 6 problems",
        ])
    }

    @Test func checkAndServeRefuseMoreConnectionsThanTheOpenFileLimitHolds() throws {
        let prlimit = try RequiredTool.path("prlimit", package: "util-linux")
        let path = try write(#"{"listen": "127.0.0.1:0", "gateway": {"max_connections": 500}}"#)
        let expected = "gateway.max_connections: 500: more than this process can hold: RLIMIT_NOFILE 1024 holds 472 "
            + "at 2 file descriptors each (80 kept for the process)"
        let check = try ChildProcess.run(prlimit, ["--nofile=1024:1024", binary, "config", "check", path])
        #expect(check.status == 1)
        #expect(check.stderr == expected + "\n\(path): 1 problem\n", "\(check.stderr)")
        let serve = try ChildProcess.run(prlimit, ["--nofile=1024:1024", binary, "serve", "--config", path])
        #expect(serve.status == 2)
        #expect(serve.stderr == "objstream serve: \(path):\n" + expected + "\n", "\(serve.stderr)")
        let fits = try ChildProcess.run(prlimit, ["--nofile=1024:1024", binary, "config", "check", try write(#"{"gateway": {"max_connections": 472}}"#)])
        #expect(fits.status == 0, "\(fits.stderr)")
        #expect(fits.stdout.hasSuffix(", max_connections 472 of at most 472)\n"), "\(fits.stdout)")
    }

    @Test func checkNamesAMissingFile() throws {
        let result = try ChildProcess.run(binary, ["config", "check", "/nonexistent/objstream.json"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(#"file: "/nonexistent/objstream.json": cannot read: No such file or directory"#))
    }

    @Test func printWithoutAFileWritesTheShippedDefaults() throws {
        let result = try ChildProcess.run(binary, ["config", "print"])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOfFile: shipped, encoding: .utf8)))
    }

    @Test func printMergesAFileOverTheDefaults() throws {
        let path = try write(#"{"transport": {"burst_buffer": 256}, "sender": {"compression": "always", "chunk_size": 65536}}"#)
        let result = try ChildProcess.run(binary, ["config", "print", path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try String(contentsOfFile: shipped, encoding: .utf8)
            .replacingOccurrences(of: #""burst_buffer": 1024"#, with: #""burst_buffer": 256"#)
            .replacingOccurrences(of: #""compression": "never""#, with: #""compression": "always""#)
            .replacingOccurrences(of: #""chunk_size": "1MiB""#, with: #""chunk_size": "64KiB""#)
        #expect(result.stdout == expected)
    }

    @Test func serveRefusesABadConfigNamingTheKey() throws {
        let path = try write(#"{"transport": {"quiescent": "1s"}}"#)
        let result = try ChildProcess.run(binary, ["serve", "--config", path, "--listen", "127.0.0.1:0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(#"transport.quiescent: "1s": must be a duration string like "500ms", "4s", "2m" >= 8s"#))
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let result = try ChildProcess.run(binary, ["config", "validate", shipped])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("usage: objstream config check FILE"))
    }
}
