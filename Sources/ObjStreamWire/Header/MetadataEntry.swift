/// One key-value pair of an object's custom metadata.
public struct MetadataEntry: Hashable, Sendable {
    /// The key; never empty on the wire.
    public var key: String
    /// The value.
    public var value: String

    /// Creates a metadata entry.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
