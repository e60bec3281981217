import CSodium

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

    /// Whether a signature over a message was made by this key's private half.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_verify_detached`.
    /// - Parameters:
    ///   - signature: The signature; anything but 64 bytes does not verify.
    ///   - message: The signed bytes.
    /// - Returns: Whether it verifies.
    public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == CallerSignature.byteCount, Sodium.isReady else { return false }
        return crypto_sign_ed25519_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }
}
