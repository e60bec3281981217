/// Whether a sender compresses its streams with lz4.
public enum Compression: String, Sendable, CaseIterable {
    /// Never compress.
    case never
    /// Always compress (`Ais-Compress: lz4`).
    case always
}
