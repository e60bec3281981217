/// One of the checksum types of STORE.md, by its wire name (an object header's
/// checksum type field).
///
/// `none` and the empty name mean "no checksum" (STORE.md: the value must then be
/// empty); they are not a type: ``init(name:)`` returns nil for them, as for a name it
/// does not know, and ``isNone(_:)`` tells the two apart.
///
/// ```swift
/// if let type = ChecksumType(name: header.attributes.checksumType) { ... verify ... }
/// else if ChecksumType.isNone(header.attributes.checksumType) { ... nothing to verify ... }
/// else { ... an unknown type ... }
/// ```
public struct ChecksumType: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
        case xxhash
        case xxhash2
        case md5
        case crc32c
        case sha256
        case sha512
    }

    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The type of a wire name.
    /// - Parameter name: The name exactly as on the wire (`xxhash`, `md5`, ...; lowercase).
    /// - Returns: nil for `none`, for the empty name (see ``isNone(_:)``) and for an unknown name.
    public init?(name: String) {
        guard let wrapped = Wrapped(rawValue: name) else { return nil }
        self.wrapped = wrapped
    }

    /// Whether a wire name means "no checksum": `none` or the empty name.
    /// - Parameter name: The name exactly as on the wire.
    /// - Returns: true for `none` and `""`, false for every other name, known or not.
    public static func isNone(_ name: String) -> Bool { name.isEmpty || name == "none" }

    /// XXH64 with seed 0; the value is 16 hex digits, the 64-bit hash big-endian.
    public static let xxhash = ChecksumType(.xxhash)
    /// The same XXH64 (AIStore computes it with another Go library); 16 hex digits.
    public static let xxhash2 = ChecksumType(.xxhash2)
    /// MD5; 32 hex digits.
    public static let md5 = ChecksumType(.md5)
    /// CRC-32C (Castagnoli); 8 hex digits, big-endian.
    public static let crc32c = ChecksumType(.crc32c)
    /// SHA-256; 64 hex digits.
    public static let sha256 = ChecksumType(.sha256)
    /// SHA-512; 128 hex digits.
    public static let sha512 = ChecksumType(.sha512)

    /// The six types, in the order of STORE.md.
    public static let all: [ChecksumType] = [.xxhash, .xxhash2, .md5, .crc32c, .sha256, .sha512]

    /// The wire name.
    public var name: String { wrapped.rawValue }

    /// How many hex digits a value of this type has.
    public var hexDigits: Int { 2 * digestSize }

    /// The digest's size in bytes.
    var digestSize: Int {
        switch wrapped {
        case .xxhash, .xxhash2: 8
        case .md5: 16
        case .crc32c: 4
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// The algorithm behind the type (`xxhash` and `xxhash2` share one).
    enum Algorithm { case xxh64, md5, crc32c, sha256, sha512 }

    var algorithm: Algorithm {
        switch wrapped {
        case .xxhash, .xxhash2: .xxh64
        case .md5: .md5
        case .crc32c: .crc32c
        case .sha256: .sha256
        case .sha512: .sha512
        }
    }

    public var description: String { name }
}
