import ObjStreamWire

extension FileDescriptor {
    /// File descriptor 1; a static, so never closed.
    static let standardOutput = FileDescriptor(adopting: 1)
    /// File descriptor 2; a static, so never closed.
    static let standardError = FileDescriptor(adopting: 2)
}
