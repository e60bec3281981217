import Synchronization

/// An object's bytes in memory; the sender writes them without copying.
public final class BytesSource: ReopenableSource {
    /// The bytes.
    public let bytes: [UInt8]
    private let position = Mutex(0)
    private let closed = Atomic(false)

    /// Creates a source over bytes in memory.
    /// - Parameter bytes: The object's bytes (not copied: arrays share storage).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        position.withLock { pos in
            let n = min(buffer.count, bytes.count - pos)
            if n > 0 {
                bytes.withUnsafeBytes { src in
                    buffer.baseAddress!.copyMemory(from: src.baseAddress! + pos, byteCount: n)
                }
                pos += n
            }
            return n
        }
    }

    public func close() { closed.store(true, ordering: .releasing) }

    public func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try bytes.withUnsafeBytes(body)
    }

    public func reopen() throws -> any ObjectSource { BytesSource(bytes) }
}
