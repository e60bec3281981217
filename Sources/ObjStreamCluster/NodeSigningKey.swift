import CSodium
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A node's Ed25519 signing key (libsodium), from the 32-byte seed that `node.key` holds as
/// one line of base64 URL-safe without padding.
public struct NodeSigningKey: Sendable {
    /// The length of the seed in bytes.
    public static let seedCount = 32

    /// libsodium's secret key: the seed, then the public key.
    private let secret: [UInt8]
    /// The key that verifies this key's signatures (for the cluster map's `public_key`).
    public let publicKey: NodePublicKey

    /// Derives the key pair of a seed.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_seed_keypair`.
    /// - Parameter seed: Exactly ``seedCount`` bytes; nil otherwise.
    public init?(seed: [UInt8]) {
        guard seed.count == Self.seedCount, Sodium.isReady else { return nil }
        var pk = [UInt8](repeating: 0, count: NodePublicKey.byteCount)
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_ed25519_SECRETKEYBYTES))
        guard crypto_sign_ed25519_seed_keypair(&pk, &sk, seed) == 0, let publicKey = NodePublicKey(bytes: pk) else {
            return nil
        }
        self.secret = sk
        self.publicKey = publicKey
    }

    /// A new key from libsodium's random source.
    ///
    /// The corresponding C function is `randombytes_buf`.
    /// - Returns: The key.
    public static func generate() -> NodeSigningKey {
        NodeSigningKey(seed: Sodium.randomBytes(seedCount))!
    }

    /// Signs a message.
    ///
    /// The corresponding C function is `crypto_sign_ed25519_detached`.
    /// - Parameter message: The bytes to sign.
    /// - Returns: The 64-byte signature.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: CallerSignature.byteCount)
        var length: UInt64 = 0
        _ = crypto_sign_ed25519_detached(&signature, &length, message, UInt64(message.count), secret)
        return signature
    }

    /// The text of `node.key`: the seed, base64 URL-safe without padding, and a newline.
    public var fileText: String { Base64URL.encode(secret[..<Self.seedCount]) + "\n" }

    /// Reads a key file that ``fileText`` wrote.
    /// - Parameter path: The file (`node.key`).
    /// - Returns: The key.
    /// - Throws: ``SigningKeyError``: `unreadable`, `exposed` when other users may read or write
    ///   it, `malformed` when it holds no 32-byte seed in base64 URL-safe.
    public static func load(contentsOf path: String) throws(SigningKeyError) -> NodeSigningKey {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SigningKeyError(code: .unreadable, message: "\(path): \(String(cString: strerror(errno)))")
        }
        if status.st_mode & (S_IROTH | S_IWOTH) != 0 {
            throw SigningKeyError(
                code: .exposed,
                message: "\(path): mode \(String(status.st_mode & 0o777, radix: 8)) lets other users read or write the private key (chmod 600 it)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SigningKeyError(code: .unreadable, message: "\(path): \(error.localizedDescription)")
        }
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard let seed = Base64URL.decode(line), let key = NodeSigningKey(seed: seed) else {
            throw SigningKeyError(
                code: .malformed,
                message: "\(path): not a node key (one line: a 32-byte Ed25519 seed in base64 URL-safe without padding, as objstream keygen writes)")
        }
        return key
    }
}
