import CSodium

/// libsodium, initialized once for the process before its first use.
enum Sodium {
    /// Whether `sodium_init` succeeded (it fails only when the system has no entropy source).
    ///
    /// The corresponding C function is `sodium_init`.
    static let isReady: Bool = sodium_init() >= 0

    /// Fills bytes with randomness from the system's source.
    ///
    /// The corresponding C function is `randombytes_buf`.
    /// - Parameter count: How many bytes.
    /// - Returns: The bytes.
    static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(isReady, "libsodium could not initialize (no entropy source)")
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return bytes
    }
}
