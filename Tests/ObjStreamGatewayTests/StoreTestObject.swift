import ObjStreamTestSupport
import ObjStreamWire

/// An object a file-store test sends: its header (size set from the payload) and its bytes.
struct StoreTestObject {
    var header: ObjectHeader
    var payload: [UInt8]

    /// An object of a bucket with a payload of the golden pattern (or given bytes).
    /// - Parameters:
    ///   - bucket: The bucket.
    ///   - name: The object name.
    ///   - payload: The bytes; nil: 1000 bytes of ``PayloadPattern`` for the name.
    ///   - attributes: Checksum, version, atime, custom metadata (the size is set from the payload).
    init(_ bucket: Bucket, _ name: String, payload: [UInt8]? = nil, attributes: ObjectAttributes = ObjectAttributes()) {
        self.payload = payload ?? PayloadPattern.bytes(for: name, size: 1000)
        var attributes = attributes
        attributes.size = Int64(self.payload.count)
        header = ObjectHeader(bucket: bucket, objectName: name, attributes: attributes)
    }
}
