import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

@testable import ObjStreamSend

#if canImport(Glibc)
import Glibc
#endif

/// Large file objects go to `sendmsg` from a mapping of the file: the bytes that arrive are
/// the file's, from any offset, and a file cut short while it is sent fails its object with
/// a short read instead of taking the process down.
@Suite struct FileMappingTests {
    /// Writes `bytes` to a new file in a fresh folder.
    private func file(_ bytes: [UInt8]) throws -> String {
        let path = try TestPaths.temporaryDirectory("objstream-mapped").appendingPathComponent("data").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aMappedRegionHoldsTheFileBytesFromAnUnalignedOffset() throws {
        var rng = SplitMix64(seed: 11)
        let data = TestObjects.random(FileMapping.minimumSize + 10_000, using: &rng)
        let source = try FileSource(path: try file(data), offset: 4097)
        defer { source.close() }
        let region = try #require(source.fileRegion)
        guard let mapping = FileMapping(region, count: Int(source.size)) else {
            Issue.record("a file just written, all in the page cache, was not mapped")
            return
        }
        // Read here only because nothing truncates the file (see FileMapping).
        #expect(Array(mapping.bytes) == Array(data[4097...]))
    }

    @Test func aRegionReachingPastTheFilesEndIsNotMapped() throws {
        let source = try FileSource(path: try file([UInt8](repeating: 1, count: FileMapping.minimumSize)))
        defer { source.close() }
        let region = try #require(source.fileRegion)
        if FileMapping(region, count: FileMapping.minimumSize + 4096) != nil {
            Issue.record("a region past the file's end was mapped")
        }
    }

    @Test func largeFileObjectsFromAnyOffsetAreDeliveredIntact() throws {
        let server = try RawStreamServer(digests: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("mapped"), options: TestObjects.options())
        var rng = SplitMix64(seed: 12)
        var expected: [UInt64] = []
        for (i, (size, offset)) in [(FileMapping.minimumSize, 0), (16 << 20, 4097), (5 << 20, 1 << 20)].enumerated() {
            let data = TestObjects.random(size + offset, using: &rng)
            let source = try FileSource(path: try file(data), offset: Int64(offset))
            let h = ObjectHeader(bucket: Bucket(name: "m"), objectName: "m\(i)", attributes: ObjectAttributes(size: source.size))
            try stream.send(OutgoingObject(header: h, source: source))
            expected.append(TestObjects.digest(Array(data[offset...])))
        }
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.objects.map(\.digest) == expected)
        #expect(stream.terminationReason?.error == nil)
    }

    @Test func aFileTruncatedWhileItsMappingIsSentFailsTheObjectWithAShortRead() throws {
        // Held unread, the connection takes a few MiB and then blocks the sender inside its
        // write of the mapping: 64 MiB leave most of the file to be read after the truncation.
        // The first bytes arrive with the first write, which comes after the mapping is filled
        // in (truncated before, the file is not mapped: sendfile's short read says so).
        let server = try RawStreamServer(holdingConnections: true)
        defer { server.kill() }
        let path = try file([UInt8](repeating: 9, count: 64 << 20))
        let stream = try ObjStream(url: server.url("cut"), options: TestObjects.options())
        let log = CompletionLog()
        let source = try FileSource(path: path)
        let h = ObjectHeader(bucket: Bucket(name: "c"), objectName: "cut", attributes: ObjectAttributes(size: source.size))
        try stream.send(OutgoingObject(header: h, source: source, context: 0, callback: log.callback))
        #expect(eventually { server.heldUnreadBytes > 0 })
        #expect(((try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? "").contains(path))
        #expect(truncate(path, 0) == 0)
        #expect(server.serveHeldConnections() == 1)
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        let error = try #require(log.all.first?.error)
        #expect(error.code == .shortRead)
        #expect(error.message.contains("cut shrank while it was sent"), "\(error)")
        #expect(stream.terminationReason?.error?.code == .shortRead)
    }
}
