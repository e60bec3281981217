import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization

/// The objects of the golden vectors (`Tests/Vectors/README.md`), and helpers
/// shared by the sender's tests.
enum TestObjects {
    static let vectorAtime: Int64 = 1_700_000_000_000_000_000

    static let lorem = """
        Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
        labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.
        """
    static let duis = """
        Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.
        Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.
        """

    /// The seed's Example (Headers) objects, custom metadata in the given key order.
    static func exampleHeaders(customOrder: [String] = ["xx", "yy"]) -> [(ObjectHeader, [UInt8])] {
        let first = ObjectHeader(
            bucket: Bucket(name: "abc", provider: "aws", namespace: Namespace(uuid: "uuid", name: "namespace")),
            objectName: "X",
            attributes: ObjectAttributes(
                size: Int64(lorem.utf8.count), atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h1",
                version: "1"))
        let values = ["xx": "11", "yy": "22"]
        let second = ObjectHeader(
            bucket: Bucket(name: "abracadabra", provider: "ais"),
            objectName: "p/q/s",
            opaque: Array("123".utf8),
            attributes: ObjectAttributes(
                size: Int64(duis.utf8.count), atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h2",
                version: "222222222222222222222222",
                customMetadata: customOrder.map { MetadataEntry($0, values[$0]!) }))
        return [(first, Array(lorem.utf8)), (second, Array(duis.utf8))]
    }

    static func headerOnly() -> ObjectHeader {
        ObjectHeader(
            senderID: "aisgo-tx", bucket: Bucket(name: "hb"), objectName: "hdr/only", opaque: [1, 2, 3, 4],
            demux: "dm-1",
            attributes: ObjectAttributes(size: 0, atime: vectorAtime, customMetadata: [MetadataEntry("k", "v")]))
    }

    static func plainSized() -> [(ObjectHeader, [UInt8])] {
        [1, 4096, 70000].enumerated().map { i, size in
            let name = "plain/p\(i)"
            let h = ObjectHeader(
                senderID: "aisgo-tx", bucket: Bucket(name: "vec"), objectName: name, opaque: Array("op\(i)".utf8),
                demux: "dmx",
                attributes: ObjectAttributes(
                    size: Int64(size), atime: vectorAtime, checksumType: "xxhash", checksumValue: "0123456789abcdef",
                    version: "v\(i)"))
            return (h, PayloadPattern.bytes(for: name, size: size))
        }
    }

    static func unsized() -> (ObjectHeader, [UInt8]) {
        let name = "unsized/u1"
        let h = ObjectHeader(
            senderID: "aisgo-tx", bucket: Bucket(name: "vec"), objectName: name,
            attributes: ObjectAttributes(size: -1, atime: vectorAtime))
        return (h, PayloadPattern.bytes(for: name, size: 10000))
    }

    /// FNV-1a-64 of bytes (what the raw server computes per object).
    static func digest(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The collector of most tests: 100 ms ticks.
    static let sharedCollector = StreamCollector(tick: .milliseconds(100))

    /// Options for tests: a collector with short ticks, a private registry.
    static func options(
        tick: Duration = .milliseconds(100), configure: (inout StreamOptions) -> Void = { _ in }
    ) -> StreamOptions {
        var o = StreamOptions()
        o.collector = tick == .milliseconds(100) ? sharedCollector : StreamCollector(tick: tick)
        o.metrics = .init()
        o.dryRun = false
        configure(&o)
        return o
    }

    /// Random bytes.
    static func random(_ count: Int, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= raw.count {
                raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < raw.count {
                raw[i] = UInt8.random(in: 0...255, using: &rng)
                i += 1
            }
        }
        return out
    }

    /// Names of this process's threads (`/proc/self/task/*/comm`).
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
