/// A region of an open file: the `sendfile(2)` path of a source.
public struct FileRegion: Sendable {
    /// The open file descriptor, borrowed: the source owns it and closes it.
    public var descriptor: Int32
    /// The offset of the object's first byte.
    public var offset: Int64

    /// Creates a file region.
    public init(descriptor: Int32, offset: Int64) {
        self.descriptor = descriptor
        self.offset = offset
    }
}
