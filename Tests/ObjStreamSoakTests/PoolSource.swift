import ObjStreamSend
import Synchronization

/// One object's bytes: a window of the shared ``PayloadPool``, handed to the sender
/// without a copy (`withContiguousBytes`) or read in pieces (PDU streams).
final class PoolSource: ObjectSource {
    private let pool: PayloadPool
    /// Where the window starts in the pool.
    let offset: Int
    /// The window's size.
    let count: Int
    private let position = Mutex(0)
    private let closes = Atomic(0)

    /// Creates the source of a window.
    /// - Parameters:
    ///   - pool: The pool.
    ///   - offset: Where the window starts.
    ///   - count: Its size.
    init(pool: PayloadPool, offset: Int, count: Int) {
        self.pool = pool
        self.offset = offset
        self.count = count
    }

    /// How often ``close()`` was called (the stream must call it exactly once).
    var closeCount: Int { closes.load(ordering: .acquiring) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        position.withLock { pos in
            let n = min(buffer.count, count - pos)
            if n > 0 {
                pool.bytes.withUnsafeBytes { src in
                    buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset + pos, byteCount: n)
                }
                pos += n
            }
            return n
        }
    }

    func close() { closes.add(1, ordering: .releasing) }

    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try pool.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
    }
}
