import Foundation
import ObjStreamChecksum
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// Names a plain directory tree cannot hold, in one stream: each stored, listed by its exact
/// name and read back byte for byte.
@Suite struct FileStoreNamingTests {
    /// `segments` segments of `length` copies of a letter each, joined by `/`.
    private static func path(_ letter: Character, segments: Int, length: Int) -> String {
        (0..<segments).map { _ in String(repeating: letter, count: length) }.joined(separator: "/")
    }

    static let long900 = String(repeating: "L", count: 900)
    /// 25 segments of 199 bytes and one more byte: 5,000 bytes, over PATH_MAX.
    static let long5000 = path("p", segments: 25, length: 199) + "z"
    /// One byte short of what a temporary name of the old `.<name>.objstream-<pid>-<n>.tmp` form could hold.
    static let segment230 = String(repeating: "s", count: 230)
    static let segment255 = "dir/" + String(repeating: "m", count: 255)

    /// The object with every attribute: 64 custom pairs, checksum, version, atime.
    static func metadataObject() -> StoreTestObject {
        let payload = PayloadPattern.bytes(for: "meta", size: 4321)
        let pairs = (0..<64).map { MetadataEntry("key-\($0)", "value \($0) = \(String(repeating: "v", count: $0))") }
        let checksum = payload.withUnsafeBytes { Checksummer.hex(.sha256, of: $0) }
        return StoreTestObject(
            Bucket(name: "bk"), "meta/obj", payload: payload,
            attributes: ObjectAttributes(
                atime: 1_712_345_678_901_234_567, checksumType: "sha256", checksumValue: checksum, version: "v-7",
                customMetadata: pairs))
    }

    /// An object whose name (or bucket name) is bytes that are not UTF-8.
    static func bytesObject(bucket: [UInt8] = Array("bk".utf8), name: [UInt8], payload: [UInt8]) -> StoreTestObject {
        var object = StoreTestObject(Bucket(name: "placeholder"), "placeholder", payload: payload)
        object.header.setBytes(bucket, of: .bucketName)
        object.header.setBytes(name, of: .objectName)
        return object
    }

    /// `a\xff/\xc3(`: a lone continuation byte and a broken two-byte sequence.
    static let notUTF8: [UInt8] = [0x61, 0xff, 0x2f, 0xc3, 0x28]

    @Test func oneStreamStoresEveryNameTheFilesystemCannotHoldAsIsAndStoreLsNamesThemExactly() throws {
        let store = try StoreFixture()
        defer { store.stop() }
        let bk = Bucket(name: "bk")
        let retried = StoreTestObject(bk, Self.long900, payload: PayloadPattern.bytes(for: "second", size: 2000))
        let objects: [StoreTestObject] = [
            StoreTestObject(bk, Self.long900),
            StoreTestObject(bk, Self.long5000),
            StoreTestObject(bk, Self.segment230),
            StoreTestObject(bk, Self.segment255),
            StoreTestObject(bk, "a"),
            StoreTestObject(bk, "a/b"),
            StoreTestObject(Bucket(name: "ns", namespace: Namespace(uuid: "global")), "o", payload: Array("uuid global".utf8)),
            StoreTestObject(Bucket(name: "ns"), "o", payload: Array("the global namespace".utf8)),
            StoreTestObject(Bucket(name: "nsb", namespace: Namespace(uuid: "a#b")), "o", payload: Array("uuid a#b".utf8)),
            StoreTestObject(Bucket(name: "nsb", namespace: Namespace(uuid: "a", name: "b")), "o", payload: Array("uuid a name b".utf8)),
            Self.metadataObject(),
            StoreTestObject(bk, "quote\"new\nline\ttab"),
            Self.bytesObject(name: Self.notUTF8, payload: Array("not UTF-8".utf8)),
            Self.bytesObject(bucket: [0x62, 0xfe], name: Array("x".utf8), payload: Array("bucket not UTF-8".utf8)),
            retried,
        ]
        #expect(try store.put(objects).status == 200)
        // The reverse order in a stream of its own: `a/b`, then `a`.
        let reverse = [StoreTestObject(Bucket(name: "bk2"), "a/b"), StoreTestObject(Bucket(name: "bk2"), "a")]
        #expect(try store.put(reverse).status == 200)
        #expect(store.log.lines.isEmpty, "nothing refused: \(store.log.lines)")

        // Every object once, under its own bucket and exact name (the retry overwrote the first).
        let expected: [(listing: String, payload: [UInt8])] = [
            ("ais://bk/" + Self.long900, retried.payload),
            ("ais://bk/" + Self.long5000, objects[1].payload),
            ("ais://bk/" + Self.segment230, objects[2].payload),
            ("ais://bk/" + Self.segment255, objects[3].payload),
            ("ais://bk/a", objects[4].payload),
            ("ais://bk/a/b", objects[5].payload),
            ("ais://@global/ns/o", objects[6].payload),
            ("ais://ns/o", objects[7].payload),
            ("ais://@a%23b/nsb/o", objects[8].payload),
            ("ais://@a#b/nsb/o", objects[9].payload),
            ("ais://bk/meta/obj", objects[10].payload),
            (#"ais://bk/"quote\"new\nline\ttab""#, objects[11].payload),
            (#"ais://bk/"a\xff/\xc3(""#, objects[12].payload),
            ("ais://b%FE/x", objects[13].payload),
            ("ais://bk2/a", reverse[1].payload),
            ("ais://bk2/a/b", reverse[0].payload),
        ]
        let listed = try store.listing()
        #expect(listed == expected.map(\.listing).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for (listing, payload) in expected {
            let (bucket, name) = Self.split(listing)
            let got = try store.get(bucket, name)
            #expect(got.status == 0, "\(got.stderr)")
            #expect(got.bytes == payload, "\(listing.prefix(80)): \(got.bytes.count) bytes")
        }
        let absent = try store.get("ais://bk", "never/sent")
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("ais://bk/never/sent: no such object in \(store.root.path)"), "\(absent.stderr)")

        // On disk: namespaces in folders of their own, names at their own path when they fit.
        let files = store.files()
        for path in ["ais/@global#/ns/o", "ais/@global/ns/o", "ais/@a%23b#/nsb/o", "ais/@a#b/nsb/o",
                     "ais/@global/bk/" + Self.segment230, "ais/@global/bk/" + Self.segment255, "ais/@global/bk/a",
                     "ais/@global/bk2/a/b", "ais/@global/bk/meta/obj", "ais/@global/bk/quote\"new\nline\ttab",
                     "ais/@global/b%FE/x"] {
            #expect(files.contains(path), "\(path) in \(files)")
        }
        let shortened = [Array("a/b".utf8), Array(Self.long900.utf8), Array(Self.long5000.utf8), Self.notUTF8].map {
            "ais/@global/bk/" + StorePath.shortenedName(of: $0)
        } + ["ais/@global/bk2/" + StorePath.shortenedName(of: Array("a".utf8))]
        for path in shortened { #expect(files.contains(path), "\(path) in \(files)") }
        #expect(!files.contains { $0.contains(".objstream-") }, "no temporary file is left: \(files)")
        // The retry of the 900-byte name counts twice.
        #expect(store.harness.counter("objstream_store_shortened_total") == 6)
        #expect(store.attribute(shortened[0], StoreAttributes.nameAttribute) == Array("a/b".utf8))
        #expect(store.attribute(shortened[3], StoreAttributes.nameAttribute) == Self.notUTF8)
    }

    @Test func extendedAttributesHoldChecksumVersionAtimeAndSixtyFourCustomPairs() throws {
        let store = try StoreFixture()
        defer { store.stop() }
        let object = Self.metadataObject()
        #expect(try store.put([object]).status == 200)
        let file = "ais/@global/bk/meta/obj"
        #expect(store.attribute(file, "user.objstream.cksum_type") == Array("sha256".utf8))
        #expect(store.attribute(file, "user.objstream.cksum_value") == Array(object.header.attributes.checksumValue.utf8))
        #expect(store.attribute(file, "user.objstream.version") == Array("v-7".utf8))
        #expect(store.attribute(file, "user.objstream.atime") == Array("1712345678901234567".utf8))
        #expect(store.attribute(file, "user.objstream.name") == nil, "a name at its own path needs no name attribute")
        // The custom metadata: key and value of each pair as big-endian u16 length + bytes, in order.
        var encoded: [UInt8] = []
        for entry in object.header.attributes.customMetadata {
            for part in [Array(entry.key.utf8), Array(entry.value.utf8)] {
                encoded += [UInt8(part.count >> 8), UInt8(part.count & 0xff)] + part
            }
        }
        #expect(store.attribute(file, "user.objstream.custom") == encoded)
        #expect(store.harness.counter("objstream_store_verified_total", "type=\"sha256\"") == 1)
    }

    @Test func attributesThatAreNotUTF8AreKeptAsTheirExactBytes() throws {
        let store = try StoreFixture()
        defer { store.stop() }
        var object = StoreTestObject(
            Bucket(name: "bk"), "raw",
            attributes: ObjectAttributes(version: "v", customMetadata: [MetadataEntry("k", "v"), MetadataEntry("plain", "text")]))
        object.header.setBytes([0x76, 0x80], of: .version)
        object.header.setBytes([0xfe, 0x6b], of: .metadataKey(0))
        object.header.setBytes([0x00, 0xff], of: .metadataValue(0))
        #expect(try store.put([object]).status == 200)
        let file = "ais/@global/bk/raw"
        #expect(store.attribute(file, StoreAttributes.versionAttribute) == [0x76, 0x80])
        #expect(
            store.attribute(file, StoreAttributes.customAttribute)
                == [0, 2, 0xfe, 0x6b, 0, 2, 0x00, 0xff] + [0, 5] + Array("plain".utf8) + [0, 4] + Array("text".utf8))
        let found = try #require(StoreCatalog.object(in: store.root.path, bucket: StoredBucket(Bucket(name: "bk")), name: Array("raw".utf8)))
        #expect(try found.attributes().customMetadata.first == StoreAttributes.Entry(key: [0xfe, 0x6b], value: [0x00, 0xff]))
    }

    @Test func attributesTooLargeForTheFilesystemGoToASidecarAndReadBackTheSame() throws {
        let store = try StoreFixture()
        defer { store.stop() }
        // 64 pairs of 1000-byte values: more than ext4 keeps per file (about 4 KiB), less than tmpfs does.
        let pairs = (0..<64).map { MetadataEntry("k\($0)", String(repeating: "\($0 % 10)", count: 1000)) }
        let name = String(repeating: "n", count: 300)
        let object = StoreTestObject(Bucket(name: "bk"), name, attributes: ObjectAttributes(version: "9", customMetadata: pairs))
        #expect(try store.put([object]).status == 200)
        let catalog = StoreCatalog.objects(in: store.root.path)
        #expect(catalog.problems.isEmpty)
        let found = try #require(catalog.objects.first)
        #expect(found.name == Array(name.utf8))
        let attributes = try found.attributes()
        #expect(attributes.version == Array("9".utf8))
        #expect(attributes.customMetadata == pairs.map { StoreAttributes.Entry(key: Array($0.key.utf8), value: Array($0.value.utf8)) })
        let relative = String(found.path.dropFirst(store.root.path.count + 1))
        let sidecars = store.harness.counter("objstream_store_sidecars_total")
        if let sidecar = store.attribute(relative, StoreAttributes.sidecarAttribute) {
            #expect(sidecars == 1)
            #expect(String(decoding: sidecar, as: UTF8.self) == StorePath.shortenedName(of: Array(name.utf8)) + ".attrs")
            #expect(store.attribute(relative, StoreAttributes.customAttribute) == nil, "all or nothing in xattrs")
        } else {
            #expect(sidecars == 0)
        }
        #expect(try store.listing() == ["ais://bk/" + name])
    }

    /// `BUCKET` and `NAME` of a `store ls` line.
    private static func split(_ listing: String) -> (bucket: String, name: String) {
        let afterScheme = listing.range(of: "://")!.upperBound
        var rest = listing[afterScheme...]
        if rest.hasPrefix("@") || rest.hasPrefix("#") { rest = rest[rest.index(after: rest.firstIndex(of: "/")!)...] }
        let slash = rest.firstIndex(of: "/")!
        return (String(listing[..<slash]), String(listing[listing.index(after: slash)...]))
    }
}
