import ObjStreamSend
import ObjStreamWire

/// The four kinds of soak stream, one gateway endpoint each.
enum StreamKind: String, CaseIterable, Sendable {
    /// Sized objects, no PDUs, no compression.
    case plain
    /// 32 KiB PDUs; half the objects unsized (size -1).
    case pdu
    /// lz4 with content checksums (the receiver verifies every frame's content).
    case lz4
    /// Header-only objects mixed with sized data objects.
    case mixed

    /// The kind's place in ``allCases`` (stable across runs, unlike hash values).
    var number: UInt64 { UInt64(Self.allCases.firstIndex(of: self)!) }

    /// The endpoint name.
    var endpoint: String { "soak-\(rawValue)" }

    /// Stream options of this kind.
    /// - Parameters:
    ///   - base: The shared settings (collector, metrics, callbacks).
    /// - Returns: The options.
    func options(_ base: StreamOptions) -> StreamOptions {
        var o = base
        switch self {
        case .plain, .mixed: break
        case .pdu: o.pduSize = 32 << 10
        case .lz4:
            o.compressed = true
            o.lz4ContentChecksum = true
        }
        return o
    }

    /// A random object of this kind, registered in the ledger.
    /// - Parameters:
    ///   - index: The object's number on its stream (part of its name).
    ///   - ledger: Where it is registered.
    ///   - rng: Where sizes and offsets come from.
    /// - Returns: The object to send.
    func object(_ index: Int, ledger: CompletionLedger, using rng: inout some RandomNumberGenerator) -> OutgoingObject {
        let headerOnly = self == .mixed && Bool.random(using: &rng)
        let size = headerOnly ? 0 : Self.randomSize(using: &rng)
        let source = size == 0 ? nil : PayloadPool.shared.source(count: size, using: &rng)
        let unsized = self == .pdu && size > 0 && Bool.random(using: &rng)
        let header = ObjectHeader(
            senderID: "soak-tx", bucket: Bucket(name: "soak"), objectName: "\(rawValue)/\(index)",
            opaque: headerOnly ? [UInt8(truncatingIfNeeded: index), 1, 2, 3] : [],
            attributes: ObjectAttributes(
                size: unsized ? WireLimits.unknownSize : Int64(size), atime: 1_700_000_000_000_000_000,
                version: headerOnly ? "h" : "",
                customMetadata: source.map {
                    [MetadataEntry(PayloadPool.offsetKey, String($0.offset)), MetadataEntry(PayloadPool.sizeKey, String(size))]
                } ?? []))
        return OutgoingObject(header: header, source: source, context: ledger.register(size: size, source: source))
    }

    /// A size of 0..4 MiB, skewed small: half up to 4 KiB, 30 % up to 64 KiB, 15 % up to
    /// 1 MiB, 5 % up to 4 MiB (mean about 220 KiB).
    static func randomSize(using rng: inout some RandomNumberGenerator) -> Int {
        let bucket = Int.random(in: 0..<100, using: &rng)
        let top =
            switch bucket {
            case 0..<50: 4 << 10
            case 50..<80: 64 << 10
            case 80..<95: 1 << 20
            default: PayloadPool.maxObjectSize
            }
        return Int.random(in: 0...top, using: &rng)
    }
}
