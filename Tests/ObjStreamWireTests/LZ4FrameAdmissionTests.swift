import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// The lz4 decoder learns each frame's block size from its descriptor (`LZ4F_getFrameInfo`)
/// before any of its blocks, and a refused size breaks the stream with its own code.
@Suite struct LZ4FrameAdmissionTests {
    /// A compressed body of one frame: `objects` objects of `size` compressible bytes.
    static func frame(_ blockSize: LZ4BlockSize, objects: Int = 3, size: Int = 100_000, name: String = "o")
        throws -> (body: [UInt8], objects: [DecodedObject])
    {
        let lz4 = try LZ4FrameEncoder(blockSize: blockSize)
        var body: [UInt8] = []
        try lz4.begin { body += $0 }
        var expected: [DecodedObject] = []
        for i in 0..<objects {
            var frames = FrameEncoder()
            let header = ObjectHeader(
                bucket: Bucket(name: "b"), objectName: "\(name)\(i)", attributes: ObjectAttributes(size: Int64(size)))
            let data = (0..<size).map { UInt8(truncatingIfNeeded: ($0 * 7 + i) % 251) }
            try frames.appendObject(header, data: data)
            expected.append(DecodedObject(header: header, data: data))
            try frames.bytes.withUnsafeBytes { raw in try lz4.compress(raw) { body += $0 } }
            try lz4.flush { body += $0 }
        }
        return (body, expected)
    }

    /// An lz4 end mark (no content checksum): the frame is over, another may follow.
    static let endMark: [UInt8] = [0, 0, 0, 0]

    /// Decodes with an admission that records each block size it is asked about.
    static func decode(_ body: [UInt8], chunkSizes: [Int], admit: @escaping @Sendable (Int) -> Bool = { _ in true })
        throws -> (objects: [DecodedObject], asked: [Int])
    {
        let asked = Mutex<[Int]>([])
        let decoder = try BodyDecoder(compressed: true) { size in
            asked.withLock { $0.append(size) }
            return admit(size)
        }
        var objects: [DecodedObject] = []
        try decoder.feed(body, chunkSizes: chunkSizes) { event in
            switch event {
            case .header: objects.append(DecodedObject(header: decoder.frames.header, data: []))
            case .data(let bytes): objects[objects.count - 1].data += bytes
            default: break
            }
        }
        try decoder.finish()
        return (objects, asked.withLock { $0 })
    }

    @Test(arguments: [[1], [7], [4096], [Int.max]])
    func eachFrameIsAskedAboutOnceWithTheBlockSizeItsDescriptorAnnounces(chunkSizes: [Int]) throws {
        let first = try Self.frame(.kib256, name: "a")
        let second = try Self.frame(.mib4, objects: 2, name: "b")
        let decoded = try Self.decode(first.body + Self.endMark + second.body, chunkSizes: chunkSizes)
        #expect(decoded.asked == [256 << 10, 4 << 20])
        #expect(decoded.objects == first.objects + second.objects)
    }

    @Test(arguments: [[1], [5], [Int.max]])
    func aSkippableFrameBeforeTheStreamIsSkipped(chunkSizes: [Int]) throws {
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 10, 0, 0, 0] + [UInt8](repeating: 0xEE, count: 10)
        let frame = try Self.frame(.kib256)
        let decoded = try Self.decode(skippable + frame.body, chunkSizes: chunkSizes)
        #expect(decoded.objects == frame.objects)
        #expect(decoded.asked == [64 << 10, 256 << 10], "a skippable frame announces the default block size")
    }

    @Test func aRefusedBlockSizeBreaksTheStreamWithSbrLZ4BlockBeforeAnyObject() throws {
        let body = try Self.frame(.mib1).body
        var reached: BrokenStreamError?
        do {
            _ = try Self.decode(body, chunkSizes: [3], admit: { $0 <= 256 << 10 })
        } catch let BodyDecodingError<Never>.broken(error) {
            reached = error
        }
        #expect(reached?.code == .compressionBlockSize, "\(String(describing: reached))")
        #expect(reached?.description.contains("frame announces 1024 KiB blocks") == true, "\(String(describing: reached))")
    }

    @Test func aBodyThatEndsInsideAFrameDescriptorIsBroken() throws {
        let body = try Self.frame(.kib64).body
        for cut in [1, 4, 6] {
            let decoder = try BodyDecoder(compressed: true)
            try decoder.feed(Array(body.prefix(cut)), chunkSizes: [1]) { (_: StreamDecoder.Event) throws(Never) in }
            #expect(throws: BrokenStreamError.self, "cut at \(cut)") { try decoder.finish() }
        }
        let whole = try BodyDecoder(compressed: true)
        try whole.feed(LZ4FrameAdmissionTests.descriptor(of: body), chunkSizes: [1]) { (_: StreamDecoder.Event) throws(Never) in }
        try whole.finish()
    }

    /// The frame descriptor alone (7 bytes for objstream's frames: magic, FLG, BD, HC).
    static func descriptor(of body: [UInt8]) -> [UInt8] { Array(body.prefix(7)) }

    @Test func decoderMemoryIsTwoBlocksAndFixedBuffers() {
        #expect(LZ4FrameDecoder.memory(blockSize: 4 << 20) == 8584 << 10)
        #expect(LZ4FrameDecoder.memory(blockSize: 256 << 10) == 904 << 10)
    }
}
