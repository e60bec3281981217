/// A node's Ed25519 public key: 32 bytes, written in the cluster map as base64 URL-safe
/// without padding (43 characters).
public struct NodePublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The length of an Ed25519 public key in bytes.
    public static let byteCount = 32

    /// The key's 32 bytes.
    public let bytes: [UInt8]

    /// Creates a key from its bytes.
    /// - Parameter bytes: Exactly ``byteCount`` bytes; nil otherwise.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Parses the cluster map's text form.
    /// - Parameter base64URL: Base64 URL-safe without padding, decoding to 32 bytes; nil otherwise.
    public init?(base64URL: String) {
        guard let decoded = Base64URL.decode(base64URL), decoded.count == Self.byteCount else { return nil }
        self.bytes = decoded
    }

    /// The cluster map's text form: base64 URL-safe without padding.
    public var base64URL: String { Base64URL.encode(bytes) }

    public var description: String { base64URL }
}
