import Foundation
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

@Suite struct FileStoreTests {
    let harness: GatewayHarness
    let root: URL
    let refusals = LineLog()

    init() throws {
        harness = try GatewayHarness()
        root = try TestPaths.temporaryDirectory("objstream-store")
        let lines = refusals
        try harness.endpoints.register(
            "store",
            try FileStoreEndpoint(
                directory: root.path, metrics: ReceiveMetrics(registry: harness.metrics),
                log: { line in lines.items.withLock { $0.append(line) } }))
    }

    private func cleanUp() {
        harness.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Every regular file under the store, as relative paths.
    private func files() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let path = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                out.append(path)
            }
        }
        return out.sorted()
    }

    private func frame(_ header: ObjectHeader) throws -> [UInt8] {
        let hdr = try HeaderCodec.encode(header)
        return ProtoHeader(length: UInt64(hdr.count)).bytes + hdr
    }

    @Test func storedObjectAppearsOnlyAfterItsLastByte() throws {
        defer { cleanUp() }
        let payload = PayloadPattern.bytes(for: "held", size: 100_000)
        let header = ObjectHeader(
            bucket: Bucket(name: "bk", provider: "aws", namespace: Namespace(uuid: "u1", name: "ns")),
            objectName: "dir/sub/held.bin", attributes: ObjectAttributes(size: 100_000))
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("store"))
        try client.sendChunk(try frame(header) + payload.dropLast())
        let final = "aws/@u1#ns/bk/dir/sub/held.bin"
        let temporaryFull = eventually {
            files().contains { $0.hasPrefix("aws/@u1#ns/bk/dir/sub/.objstream-") && $0.hasSuffix(".tmp") }
                && (try? FileManager.default.attributesOfItem(
                    atPath: root.appendingPathComponent(files().first { $0.hasSuffix(".tmp") } ?? "x").path)[.size]
                    as? Int) == 99_999
        }
        #expect(temporaryFull, "the temporary file never held 99999 bytes: \(files())")
        #expect(!files().contains(final))
        try client.sendChunk([payload.last!])
        try client.endChunked()
        #expect(try client.readResponse().status == 200)
        #expect(files() == [final])
        #expect([UInt8](try Data(contentsOf: root.appendingPathComponent(final))) == payload)
        #expect(harness.counter("objstream_rx_stored_objects_total", "endpoint=\"store\"") == 1)
    }

    @Test func brokenObjectNeverAppears() throws {
        defer { cleanUp() }
        let header = ObjectHeader(bucket: Bucket(name: "bk"), objectName: "broken", attributes: ObjectAttributes(size: 1000))
        var probe = FrameEncoder()
        try probe.appendObject(ObjectHeader(bucket: Bucket(name: "bk"), objectName: "whole", attributes: ObjectAttributes(size: 3)), data: [1, 2, 3])
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("store"))
        try client.sendChunk(probe.bytes + (try frame(header)) + [UInt8](repeating: 9, count: 500))
        #expect(eventually { files().contains { $0.hasSuffix(".tmp") } })
        client.reset()
        #expect(harness.gateway.waitUntilIdle(timeout: .seconds(60)))
        #expect(files() == ["ais/@global/bk/whole"])
        #expect(harness.counter("objstream_rx_broken_streams_total", "code=\"sbr_obj_data_size\"") == 1)
    }

    @Test func unsafeNamesAreRefusedCountedLoggedAndNeverWritten() throws {
        defer { cleanUp() }
        let bad: [ObjectHeader] = [
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: "../escape"),
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: "/etc/abs"),
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: "a/../../b"),
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: "nul\0byte"),
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: ""),
            ObjectHeader(bucket: Bucket(name: "bk", provider: ""), objectName: "x"),
        ]
        // Folder names are encoded, so these are stored inside the root, not refused.
        let encoded: [ObjectHeader] = [
            ObjectHeader(bucket: Bucket(name: ".."), objectName: "x"),
            ObjectHeader(bucket: Bucket(name: "bk", namespace: Namespace(name: "../..")), objectName: "x"),
        ]
        var encoder = FrameEncoder()
        for header in bad + encoded {
            var sized = header
            sized.attributes.size = 4
            try encoder.appendObject(sized, data: [1, 2, 3, 4])
        }
        try encoder.appendObject(
            ObjectHeader(bucket: Bucket(name: "bk"), objectName: "ok/fine", attributes: ObjectAttributes(size: 2)), data: [7, 8])
        #expect(try harness.put("store", encoder.bytes).status == 200)
        #expect(files() == ["ais/@#..%2F../bk/x", "ais/@global/%2E%2E/x", "ais/@global/bk/ok/fine"])
        #expect(harness.counter("objstream_rx_refused_objects_total", "endpoint=\"store\"") == Double(bad.count))
        #expect(harness.counter("objstream_store_refused_total", "reason=\"bad_name\"") == Double(bad.count))
        #expect(harness.counter("objstream_rx_stored_objects_total", "endpoint=\"store\"") == 3)
        let lines = refusals.items.withLock { $0 }
        #expect(lines.count == bad.count)
        #expect(lines.first?.contains("refused object ais://bk \"../escape\": object name segment is '..'") == true, "\(lines)")
        #expect(lines.contains { $0.contains("\"nul\\x00byte\"") }, "the NUL is escaped: \(lines)")
        let parent = root.deletingLastPathComponent()
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("escape").path))
    }
}

/// Lines a test collects from a logging closure.
final class LineLog: Sendable {
    let items = Mutex<[String]>([])
}
