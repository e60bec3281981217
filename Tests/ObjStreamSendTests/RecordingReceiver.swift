import ObjStreamReceive
import ObjStreamWire

/// Records one session's objects, handing batches to the gateway's log.
final class RecordingReceiver: ObjectReceiver {
    private let digests: Bool
    private let publish: ((inout ReceivedSession) -> Void) -> Void
    private var current = RawStreamServer.ReceivedObject(header: ObjectHeader(), size: 0, digest: 0)
    private var batch: [RawStreamServer.ReceivedObject] = []
    private var bytes = 0

    init(digests: Bool, publish: @escaping ((inout ReceivedSession) -> Void) -> Void) {
        self.digests = digests
        self.publish = publish
    }

    func receive(header: ObjectHeader) throws {
        current = RawStreamServer.ReceivedObject(header: header, size: 0, digest: 0xcbf2_9ce4_8422_2325)
    }

    func receive(data: UnsafeRawBufferPointer) throws {
        current.size += data.count
        bytes += data.count
        if digests {
            var h = current.digest
            for b in data {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            current.digest = h
        }
    }

    func endObject() throws {
        batch.append(current)
        if batch.count >= 256 || bytes >= 8 << 20 { flush() }
    }

    func end(error: BrokenStreamError?) {
        flush()
        publish {
            $0.complete = error == nil
            $0.error = error.map { "\($0)" }
        }
    }

    private func flush() {
        let b = batch
        let n = bytes
        batch.removeAll(keepingCapacity: true)
        bytes = 0
        publish {
            $0.objects += b
            $0.dataBytes += n
        }
    }
}
