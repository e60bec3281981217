import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// The real `objstream serve` on stores that fail: a read-only folder, a filesystem without
/// extended attributes, a full one. Each runs in a private mount namespace (`unshare -m`, as
/// root: CI runs as root, where `chmod` alone would not stop a write), so the mounts are
/// gone when the process ends; a machine that cannot make one fails the test, saying why.
@Suite struct FileStoreMountTests {
    /// `objstream serve ARGUMENTS` after a shell `setup` in a mount namespace of its own.
    /// - Parameters:
    ///   - setup: Shell commands run first (mounts), with `set -e`.
    ///   - arguments: The arguments after `serve`.
    /// - Returns: The started process.
    private func serve(after setup: String, _ arguments: [String]) throws -> ChildProcess {
        let unshare = try RequiredTool.path("unshare", package: "util-linux")
        _ = try RequiredTool.path("mount", package: "mount")
        let probe = try ChildProcess.run(unshare, ["-m", "--propagation", "private", "true"])
        guard probe.status == 0 else {
            throw ChildProcess.Failure(
                description: "cannot make a private mount namespace (unshare -m needs root or CAP_SYS_ADMIN): \(probe.stderr)")
        }
        let script = "set -e; \(setup); exec \"$0\" serve \"$@\""
        return try ChildProcess(
            unshare, ["-m", "--propagation", "private", "/bin/sh", "-c", script, TestPaths.objstreamBinary.path] + arguments)
    }

    private func body(_ names: [String], bucket: String = "bk", size: Int = 100) throws -> [UInt8] {
        var encoder = FrameEncoder()
        for name in names {
            try encoder.appendObject(
                ObjectHeader(bucket: Bucket(name: bucket), objectName: name, attributes: ObjectAttributes(size: Int64(size))),
                data: PayloadPattern.bytes(for: name, size: size))
        }
        return encoder.bytes
    }

    private func put(_ port: UInt16, _ body: [UInt8]) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: port)
        try client.send(RawHTTPClient.streamHead("s"))
        try client.sendChunk(body)
        try client.endChunked()
        return try client.readResponse()
    }

    private func value(_ series: String, _ port: UInt16) throws -> Double {
        ExpositionText.value(of: series, in: try Curl.scrape(port)) ?? 0
    }

    @Test func aReadOnlyFolderRefusesOnlyTheObjectsUnderItAndTheEndpointTurnsUnhealthyUntilAWriteWorks() throws {
        let store = try TestPaths.temporaryDirectory("objstream-ro")
        defer { try? FileManager.default.removeItem(at: store) }
        let locked = store.appendingPathComponent("ais/@global/bk/locked").path
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        let serve = try serve(
            after: "mount --bind '\(locked)' '\(locked)'; mount -o remount,bind,ro '\(locked)'",
            ["--listen", "127.0.0.1:0", "--store", store.path, "--endpoint", "s=store", "--store-sync", "object"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")

        let first = try put(port, body(["locked/1", "free/1", "locked/2", "locked/3", "locked/4"]))
        #expect(first.status == 200, "\(first.body)")
        #expect(try value("objstream_store_refused_total{reason=\"permission\"}", port) == 4)
        #expect(try value("objstream_rx_refused_objects_total{endpoint=\"s\"}", port) == 4)
        #expect(try value("objstream_rx_stored_objects_total{endpoint=\"s\"}", port) == 1)
        #expect(
            serve.stderrLines.contains {
                $0.contains("refused object ais://bk \"locked/1\": cannot create \(locked)/.objstream-")
                    && $0.hasSuffix(": Read-only file system (permission)")
            }, "\(serve.stderrLines)")
        let sick = try Curl.run(["http://127.0.0.1:\(port)/healthz"])
        #expect(sick.status == 200, "liveness stays")
        #expect(sick.body.contains(#"{"endpoints":{"s":"3 writes failed in a row, the last: cannot create"#), "\(sick.body)")

        #expect(try put(port, body(["free/2"])).status == 200)
        #expect(try Curl.run(["http://127.0.0.1:\(port)/healthz"]).body == #"{"status":"ok"}"# + "\n", "healthy again after a write")
        let listed = try ChildProcess.run(TestPaths.objstreamBinary.path, ["store", "ls", store.path])
        #expect(listed.stdout == "ais://bk/free/1\nais://bk/free/2\n", "\(listed.stderr)")
    }

    @Test func aFolderTheGatewayMayNotWriteRefusesOnlyTheObjectsUnderItWithEACCES() throws {
        // As an unprivileged user (root passes every permission check): the store is that user's,
        // one folder under it root's.
        let setpriv = try RequiredTool.path("setpriv", package: "util-linux")
        let store = try TestPaths.temporaryDirectory("objstream-eacces")
        defer { try? FileManager.default.removeItem(at: store) }
        let locked = store.appendingPathComponent("ais/@global/bk/locked").path
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        let chown = try ChildProcess.run("/bin/chown", ["-R", "65534:65534", store.path])
        #expect(chown.status == 0, "\(chown.stderr)")
        #expect(try ChildProcess.run("/bin/chown", ["0:0", locked]).status == 0)
        let serve = try ChildProcess(
            setpriv,
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", TestPaths.objstreamBinary.path, "serve", "--listen",
                "127.0.0.1:0", "--store", store.path, "--endpoint", "s=store",
            ])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let response = try put(port, body(["locked/1", "free/1", "locked/2"]))
        #expect(response.status == 200, "\(response.body)")
        #expect(response.body.contains(#""objects":1,"#), "\(response.body)")
        #expect(try value("objstream_store_refused_total{reason=\"permission\"}", port) == 2)
        #expect(
            serve.stderrLines.contains { $0.contains("\"locked/1\"") && $0.hasSuffix(": Permission denied (permission)") },
            "\(serve.stderrLines)")
        let listed = try ChildProcess.run(TestPaths.objstreamBinary.path, ["store", "ls", store.path])
        #expect(listed.stdout == "ais://bk/free/1\n", "\(listed.stderr)")
    }

    @Test func aStoreFolderWithoutExtendedAttributesStopsServeNamingIt() throws {
        let store = try TestPaths.temporaryDirectory("objstream-noxattr")
        defer { try? FileManager.default.removeItem(at: store) }
        // ramfs keeps no extended attributes at all.
        let serve = try serve(
            after: "mount -t ramfs none '\(store.path)'", ["--listen", "127.0.0.1:0", "--store", store.path, "--endpoint", "s=store"])
        #expect(serve.waitForExit() == 1)
        #expect(
            serve.stderr.hasPrefix("objstream serve: endpoint ")
                && serve.stderr.contains("store folder \(store.path) does not support extended attributes"),
            "\(serve.stderr)")
        #expect(!serve.stderr.contains("listening on"))
    }

    @Test func anUnwritableStoreFolderStopsServeNamingIt() throws {
        let store = try TestPaths.temporaryDirectory("objstream-unwritable")
        defer { try? FileManager.default.removeItem(at: store) }
        let serve = try serve(
            after: "mount --bind '\(store.path)' '\(store.path)'; mount -o remount,bind,ro '\(store.path)'",
            ["--listen", "127.0.0.1:0", "--store", store.path, "--endpoint", "s=store"])
        #expect(serve.waitForExit() == 1)
        #expect(
            serve.stderr.contains("store folder \(store.path) is not writable: cannot create \(store.path)/.objstream-probe-")
                && serve.stderr.contains("Read-only file system"),
            "\(serve.stderr)")
    }

    @Test func aFullFilesystemEndsTheStreamAndLeavesNoTemporaryFileBehind() throws {
        let store = try TestPaths.temporaryDirectory("objstream-full")
        defer { try? FileManager.default.removeItem(at: store) }
        // tmpfs keeps user.* attributes since Linux 6.6.
        let serve = try serve(
            after: "mount -t tmpfs -o size=512k none '\(store.path)'",
            ["--listen", "127.0.0.1:0", "--store", store.path, "--endpoint", "s=store"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let full = try put(port, body(["big", "after"], size: 1 << 20))
        #expect(full.status == 507, "\(full.body)")
        #expect(full.body.contains(#""code":"store_full""#), "\(full.body)")
        #expect(try value("objstream_store_refused_total{reason=\"store_full\"}", port) == 1)
        #expect(try value("objstream_rx_stored_objects_total{endpoint=\"s\"}", port) == 0)
        // The 1 MiB temporary file is gone, or the 400 KiB object would not fit.
        #expect(try put(port, body(["fits"], size: 400 << 10)).status == 200)
        #expect(try value("objstream_rx_stored_objects_total{endpoint=\"s\"}", port) == 1)
    }
}
