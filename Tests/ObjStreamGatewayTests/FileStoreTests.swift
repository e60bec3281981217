import Foundation
import ObjStreamChecksum
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

@Suite struct FileStoreTests {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    private var harness: GatewayHarness { store.harness }
    private func files() -> [String] { store.files() }

    private func frame(_ header: ObjectHeader) throws -> [UInt8] {
        let hdr = try HeaderCodec.encode(header)
        return ProtoHeader(length: UInt64(hdr.count)).bytes + hdr
    }

    @Test func storedObjectAppearsOnlyAfterItsLastByte() throws {
        defer { store.stop() }
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
                    atPath: store.root.appendingPathComponent(files().first { $0.hasSuffix(".tmp") } ?? "x").path)[.size]
                    as? Int) == 99_999
        }
        #expect(temporaryFull, "the temporary file never held 99999 bytes: \(files())")
        #expect(!files().contains(final))
        try client.sendChunk([payload.last!])
        try client.endChunked()
        #expect(try client.readResponse().status == 200)
        #expect(files() == [final])
        #expect([UInt8](try Data(contentsOf: store.root.appendingPathComponent(final))) == payload)
        #expect(harness.counter("objstream_rx_stored_objects_total", "endpoint=\"store\"") == 1)
    }

    @Test func brokenObjectNeverAppears() throws {
        defer { store.stop() }
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
        defer { store.stop() }
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
        let lines = store.log.lines
        #expect(lines.count == bad.count)
        #expect(lines.first?.contains("refused object ais://bk \"../escape\": object name segment is '..'") == true, "\(lines)")
        #expect(lines.contains { $0.contains("\"nul\\x00byte\"") }, "the NUL is escaped: \(lines)")
        let parent = store.root.deletingLastPathComponent()
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("escape").path))
    }

    @Test func checksumMismatchIsRefusedTheFileNeverAppearsAndTheNextObjectIsStored() throws {
        defer { store.stop() }
        let good = PayloadPattern.bytes(for: "good", size: 70_000)
        let bad = PayloadPattern.bytes(for: "bad", size: 70_000)
        let expected = good.withUnsafeBytes { Checksummer.hex(.xxhash, of: $0) }
        let objects = [
            StoreTestObject(Bucket(name: "bk"), "bad", payload: bad, attributes: ObjectAttributes(checksumType: "xxhash", checksumValue: expected)),
            StoreTestObject(Bucket(name: "bk"), "next", payload: good, attributes: ObjectAttributes(checksumType: "xxhash", checksumValue: expected)),
        ]
        // Small chunks and PDUs: the checksum is computed over many pieces.
        #expect(try store.put(objects, pduSize: 4096, chunkSize: 1000).status == 200)
        #expect(files() == ["ais/@global/bk/next"], "no temporary file is left behind either")
        #expect([UInt8](try Data(contentsOf: store.root.appendingPathComponent("ais/@global/bk/next"))) == good)
        #expect(harness.counter("objstream_store_refused_total", "reason=\"checksum_mismatch\"") == 1)
        #expect(harness.counter("objstream_rx_refused_objects_total", "endpoint=\"store\"") == 1)
        #expect(harness.counter("objstream_store_verified_total", "type=\"xxhash\"") == 1)
        let got = bad.withUnsafeBytes { Checksummer.hex(.xxhash, of: $0) }
        let line = store.log.lines.first ?? ""
        #expect(
            line.contains("refused object ais://bk \"bad\": xxhash checksum mismatch: expected \"\(expected)\", got \(got) (checksum_mismatch)"),
            "\(store.log.lines)")
    }

    @Test func aCorrectChecksumOfEachTypeIsVerifiedAndAnUnknownTypeIsStoredUnverified() throws {
        defer { store.stop() }
        var objects: [StoreTestObject] = []
        for type in ChecksumType.all {
            let payload = PayloadPattern.bytes(for: type.name, size: 33_333)
            // Upper-case digits are the same value.
            let value = payload.withUnsafeBytes { Checksummer.hex(type, of: $0) }
            objects.append(
                StoreTestObject(
                    Bucket(name: "bk"), "sum/\(type.name)", payload: payload,
                    attributes: ObjectAttributes(checksumType: type.name, checksumValue: type == .md5 ? value.uppercased() : value)))
        }
        objects.append(
            StoreTestObject(Bucket(name: "bk"), "sum/blake9", attributes: ObjectAttributes(checksumType: "blake9", checksumValue: "00")))
        objects.append(StoreTestObject(Bucket(name: "bk"), "sum/none", attributes: ObjectAttributes(checksumType: "none")))
        #expect(try store.put(objects, chunkSize: 7777).status == 200)
        for type in ChecksumType.all {
            #expect(harness.counter("objstream_store_verified_total", "type=\"\(type.name)\"") == 1, "\(type)")
        }
        #expect(harness.counter("objstream_store_unverified_total", "type=\"blake9\"") == 1)
        #expect(harness.counter("objstream_rx_stored_objects_total", "endpoint=\"store\"") == Double(objects.count))
        #expect(store.attribute("ais/@global/bk/sum/blake9", StoreAttributes.checksumTypeAttribute) == Array("blake9".utf8))
        #expect(store.attribute("ais/@global/bk/sum/none", StoreAttributes.checksumTypeAttribute) == Array("none".utf8))
    }

    @Test func unknownChecksumTypesGetAtMostEightLabelsOfTheirOwn() throws {
        defer { store.stop() }
        let objects = (0..<12).map { i in
            StoreTestObject(Bucket(name: "bk"), "u\(i)", attributes: ObjectAttributes(checksumType: "t\(i)", checksumValue: "0"))
        } + [StoreTestObject(Bucket(name: "bk"), "odd", attributes: ObjectAttributes(checksumType: "Bad Type\n", checksumValue: "0"))]
        #expect(try store.put(objects).status == 200)
        let text = harness.metrics.render()
        let series = text.split(separator: "\n").filter { $0.hasPrefix("objstream_store_unverified_total{") }
        #expect(series.count == StoreMetrics.unknownTypeLimit + 1, "\(series)")
        #expect(harness.counter("objstream_store_unverified_total", "type=\"other\"") == 5)
    }

    @Test func aNameClashThatCannotBeResolvedIsRefusedAndTheStreamGoesOn() throws {
        defer { store.stop() }
        // Someone else's folders where the shortened names of `a/b` and `c` would go.
        let bucket = store.root.appendingPathComponent("ais/@global/bk")
        for name in ["a/b", "c"] {
            try FileManager.default.createDirectory(
                at: bucket.appendingPathComponent(StorePath.shortenedName(of: Array(name.utf8)) + "/x"), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: bucket.appendingPathComponent("c/d"), withIntermediateDirectories: true)
        let objects = [
            StoreTestObject(Bucket(name: "bk"), "a"), StoreTestObject(Bucket(name: "bk"), "a/b"),
            StoreTestObject(Bucket(name: "bk"), "c"), StoreTestObject(Bucket(name: "bk"), "after"),
        ]
        #expect(try store.put(objects).status == 200)
        #expect(harness.counter("objstream_store_refused_total", "reason=\"name_clash\"") == 2)
        #expect(harness.counter("objstream_rx_stored_objects_total", "endpoint=\"store\"") == 2)
        #expect(files() == ["ais/@global/bk/a", "ais/@global/bk/after"], "no temporary file is left either")
        #expect(store.log.lines.count == 2)
        #expect(store.log.lines.allSatisfy { $0.hasSuffix(" is a folder (name_clash)") }, "\(store.log.lines)")
    }

    @Test func everyStoreSyncModeStoresAndSyncsAsItSays() throws {
        store.stop()
        let synced = try StoreFixture(endpoints: [("none", .none), ("object", .object), ("request", .request)])
        defer { synced.stop() }
        func syncs() -> Double {
            synced.harness.counter("objstream_store_sync_duration_seconds_count")
        }
        var total = 0.0
        for mode in StoreSync.allCases {
            let objects = (0..<5).map { StoreTestObject(Bucket(name: mode.rawValue), "d\($0 % 2)/o\($0)") }
            #expect(try synced.put(objects, to: mode.rawValue).status == 200, "\(mode)")
            let after = syncs()
            switch mode {
            case .none: #expect(after - total == 0, "no sync at all")
            // Each file, its folder, and the new folders' parents (bucket, d0, d1 and the first object's provider/namespace).
            case .object: #expect(after - total >= 10, "a file and a folder sync per object: \(after - total)")
            case .request: #expect(after - total == 1, "one syncfs for the request")
            }
            total = after
        }
        let listed = try synced.listing()
        #expect(listed.count == 15, "\(listed)")
        #expect(listed.contains("ais://object/d1/o3"))
    }

    @Test func aStoreFolderThatCannotBeUsedFailsWhenTheEndpointIsMade() throws {
        defer { store.stop() }
        let file = store.root.appendingPathComponent("plain-file")
        try Data([1]).write(to: file)
        func refusal(_ directory: String) -> ReceiveError? {
            let metrics = ReceiveMetrics(registry: harness.metrics)
            do throws(ReceiveError) {
                _ = try FileStoreEndpoint(directory: directory, metrics: metrics, log: { _ in })
                return nil
            } catch {
                return error
            }
        }
        for (directory, words) in [(file.path, "is not a folder"), (file.path + "/below", "cannot be created")] {
            let error = refusal(directory)
            #expect(error?.code == .storeUnusable, "\(directory)")
            #expect(error?.message.hasPrefix("store folder \(directory) \(words)") == true, "\(String(describing: error))")
        }
        let made = store.root.appendingPathComponent("new/deeper").path
        let endpoint = try FileStoreEndpoint(directory: made, metrics: ReceiveMetrics(registry: harness.metrics), log: { _ in })
        #expect(endpoint.attributeCapacity > 1000, "a fresh file takes a 1000-byte attribute on ext4 and tmpfs")
        #expect(try FileManager.default.contentsOfDirectory(atPath: made).isEmpty, "the probe file is removed")
    }

    @Test func anUnhealthyEndpointIsNamedByHealthzAndMakesTheGatewayNotReady() throws {
        defer { store.stop() }
        try harness.endpoints.register("sick", UnhealthyEndpoint(reason: "disk \"gone\""))
        // Liveness stays: a restart mends no failing disk; readiness names the endpoint.
        let health = try Curl.run(["http://127.0.0.1:\(harness.port)/healthz"])
        #expect(health.status == 200)
        #expect(health.body == #"{"endpoints":{"sick":"disk \"gone\""},"status":"degraded"}"# + "\n")
        #expect(harness.gateway.readiness.reasons == [#"endpoint sick: disk "gone""#], "\(harness.gateway.readiness)")
        try harness.endpoints.unregister("sick")
        #expect(try Curl.run(["http://127.0.0.1:\(harness.port)/healthz"]).body == #"{"status":"ok"}"# + "\n")
        #expect(harness.gateway.readiness.isReady)
    }
}

/// An endpoint that reports itself unhealthy and discards what it gets.
private struct UnhealthyEndpoint: Endpoint {
    var reason: String
    func makeReceiver(for session: SessionInfo) -> any ObjectReceiver { SinkEndpoint().makeReceiver(for: session) }
    var health: EndpointHealth { .unhealthy(reason) }
}
