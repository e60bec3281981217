import ObjStreamWire
import Testing

/// The decoder holds each object's header from its `header` event on, and lends it.
@Suite struct DecoderHeaderTests {
    struct Thrown: Error {}

    static let headers = [
        ObjectHeader(senderID: "tx", bucket: Bucket(name: "b"), objectName: "first", attributes: ObjectAttributes(size: 3)),
        ObjectHeader(
            senderID: "tx", bucket: Bucket(name: "b"), objectName: "a second name longer than a small string",
            attributes: ObjectAttributes(size: 0, checksumType: "xxhash", checksumValue: "0123456789abcdef")),
    ]

    static func body() throws -> [UInt8] {
        var frames = FrameEncoder()
        try frames.appendObject(headers[0], data: [1, 2, 3])
        try frames.appendObject(headers[1], data: [])
        frames.appendFin()
        return frames.bytes
    }

    @Test func eachHeaderEventFindsItsObjectsHeaderInTheDecoder() throws {
        let decoder = StreamDecoder()
        var seen: [ObjectHeader] = []
        var afterData: [ObjectHeader] = []
        try Self.body().withUnsafeBytes { raw in
            var input = raw
            while let event = try decoder.next(from: &input) {
                switch event {
                case .header: seen.append(decoder.header)
                case .data: afterData.append(decoder.header)
                case .objectEnd, .marker: break
                }
            }
        }
        #expect(seen == Self.headers)
        #expect(afterData == [Self.headers[0]])
        #expect(decoder.sawFin)
    }

    @Test func aHeaderLentToABodyThatThrowsIsTheDecodersAgainAfterIt() throws {
        let decoder = StreamDecoder()
        try Self.body().withUnsafeBytes { raw in
            var input = raw
            let first = try decoder.next(from: &input)
            guard case .header = first else {
                Issue.record("the first event is \(String(describing: first)), not a header")
                return
            }
            #expect(throws: Thrown.self) {
                try decoder.withHeader { (header) throws(Thrown) in
                    #expect(header == Self.headers[0])
                    throw Thrown()
                }
            }
            #expect(decoder.header == Self.headers[0])
            var lent: ObjectHeader?
            decoder.withHeader { lent = $0 }
            #expect(lent == Self.headers[0])
            #expect(decoder.header == Self.headers[0])
        }
    }
}
