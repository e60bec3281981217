import ObjStreamSend
import Synchronization

/// A source that yields fewer bytes than its object's size.
final class ShortSource: ObjectSource {
    let count: Int
    let position = Mutex(0)
    let closed = Atomic(false)

    init(count: Int) { self.count = count }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        position.withLock { pos in
            let n = min(buffer.count, count - pos)
            for i in 0..<n { buffer[i] = 0x5a }
            pos += n
            return n
        }
    }

    func close() { closed.store(true, ordering: .releasing) }
}
