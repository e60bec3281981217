/// Builds stream bodies in memory: object frames, PDUs and the end-of-stream marker.
///
/// For tools, tests and benchmarks; the sender writes the same frames straight
/// into its socket buffers with ``ProtoHeader/write(to:)`` and ``HeaderCodec/encode(_:into:)``.
public struct FrameEncoder: Sendable {
    /// The encoded body so far.
    public private(set) var bytes: [UInt8] = []
    /// The PDU size (header included) for object data, or 0 for a stream without PDUs.
    public var pduSize: Int

    /// Creates an encoder.
    /// - Parameter pduSize: 0 for plain frames, else the PDU size including its 16-byte header.
    public init(pduSize: Int = 0) {
        precondition(pduSize == 0 || (pduSize > ProtoHeader.size && pduSize <= WireLimits.maxPDUSize))
        self.pduSize = pduSize
    }

    /// Appends an object frame and its data.
    /// - Parameters:
    ///   - header: The object's header; its size must match `data` unless it is -1 (PDU streams only).
    ///   - data: The object's bytes.
    public mutating func appendObject(_ header: ObjectHeader, data: [UInt8] = []) throws(WireError) {
        let size = header.attributes.size
        precondition(size == Int64(data.count) || (size == WireLimits.unknownSize && pduSize > 0))
        let hdr = try HeaderCodec.encode(header)
        let usesPDUs = pduSize > 0
        bytes += ProtoHeader(length: UInt64(hdr.count), flags: usesPDUs ? .pduStream : []).bytes
        bytes += hdr
        guard size != 0 else { return }
        guard usesPDUs else {
            bytes += data
            return
        }
        let payload = pduSize - ProtoHeader.size
        var start = 0
        repeat {
            let end = min(start + payload, data.count)
            let last = end == data.count
            bytes += ProtoHeader(length: UInt64(end - start), flags: last ? [.pdu, .lastPDU] : .pdu).bytes
            bytes += data[start..<end]
            start = end
        } while start < data.count
    }

    /// Appends raw bytes (to build broken streams in tests).
    public mutating func appendRaw(_ raw: [UInt8]) { bytes += raw }

    /// Appends the end-of-stream marker that `fin()` sends (flagged `pduStream` on a PDU stream, like every object).
    public mutating func appendFin() {
        // The marker's header cannot fail to encode.
        let hdr = try! HeaderCodec.encode(.finMarker())
        bytes += ProtoHeader(length: UInt64(hdr.count), flags: pduSize > 0 ? .pduStream : []).bytes
        bytes += hdr
    }
}
