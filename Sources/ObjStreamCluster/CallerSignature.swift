/// The connection signature of WIRE.md section 7: Ed25519 over
/// `"ais-transport-v1" 0x00 trname 0x00 senderID 0x00 BE64(sessionID) BE64(smapVer) BE64(nonce)`,
/// sent base64 URL-safe without padding (86 characters) as `Ais-Caller-Sig`.
public enum CallerSignature {
    /// The header with the sender's cluster map version, decimal.
    public static let mapVersionHeader = "Ais-Caller-Smap-Ver"
    /// The header with the request's nonce, a decimal u64.
    public static let nonceHeader = "Ais-Caller-Nonce"
    /// The header with the signature.
    public static let signatureHeader = "Ais-Caller-Sig"
    /// The length of an Ed25519 signature in bytes.
    public static let byteCount = 64
    /// The length of its text form.
    public static let textCount = 86

    private static let domain = Array("ais-transport-v1".utf8)

    /// The signed bytes of one request.
    /// - Parameters:
    ///   - trname: The endpoint name (the last path segment).
    ///   - senderID: The sender's node id (`Ais-Caller-Id`).
    ///   - sessionID: `Ais-Session-Id`.
    ///   - mapVersion: `Ais-Caller-Smap-Ver`.
    ///   - nonce: `Ais-Caller-Nonce`.
    /// - Returns: The message the signature covers.
    public static func message(trname: String, senderID: String, sessionID: Int64, mapVersion: Int64, nonce: UInt64)
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(domain.count + trname.utf8.count + senderID.utf8.count + 3 + 24)
        bytes += domain
        bytes.append(0)
        bytes += trname.utf8
        bytes.append(0)
        bytes += senderID.utf8
        bytes.append(0)
        for value in [UInt64(bitPattern: sessionID), UInt64(bitPattern: mapVersion), nonce] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        return bytes
    }

    /// Parses the text form of a signature.
    /// - Parameter text: The header's value.
    /// - Returns: The 64 bytes, or nil when the text is not 86 characters of base64 URL-safe.
    public static func parse(_ text: String) -> [UInt8]? {
        guard text.utf8.count == textCount, let bytes = Base64URL.decode(text), bytes.count == byteCount else { return nil }
        return bytes
    }
}
