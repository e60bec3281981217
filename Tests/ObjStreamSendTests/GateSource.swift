import Foundation
import ObjStreamSend
import Synchronization

/// A source whose read blocks until opened (to hold the sender thread in a test).
final class GateSource: ObjectSource {
    let bytes: [UInt8]
    let open = Atomic(false)
    let reading = Atomic(false)
    let position = Mutex(0)

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        reading.store(true, ordering: .releasing)
        while !open.load(ordering: .acquiring) { usleep(1000) }
        return position.withLock { pos in
            let n = min(buffer.count, bytes.count - pos)
            for i in 0..<n { buffer[i] = bytes[pos + i] }
            pos += n
            return n
        }
    }

    func close() {}
}
