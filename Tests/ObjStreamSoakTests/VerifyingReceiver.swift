import Foundation
import ObjStreamReceive
import ObjStreamWire

/// The receiver of a ``VerifyingEndpoint``: compares each data view with the pool
/// window of its object (`memcmp`, no copy) and counts one session.
final class VerifyingReceiver: ObjectReceiver {
    private let endpoint: VerifyingEndpoint
    private let pool = PayloadPool.shared
    private var session = VerifyingEndpoint.Totals()
    private var isControl = false
    private var offset = 0
    private var expected = 0
    private var position = 0
    private var corrupted = false

    init(endpoint: VerifyingEndpoint) { self.endpoint = endpoint }

    func receive(header: ObjectHeader) {
        isControl = header.isControl
        position = 0
        corrupted = false
        let metadata = header.attributes.customMetadata
        offset = metadata.first { $0.key == PayloadPool.offsetKey }.flatMap { Int($0.value) } ?? -1
        expected = metadata.first { $0.key == PayloadPool.sizeKey }.flatMap { Int($0.value) } ?? 0
        if !isControl && (offset < 0 || offset + expected > pool.bytes.count) && header.attributes.size != 0 {
            session.unlabelled += 1
        }
    }

    func receive(data: UnsafeRawBufferPointer) {
        guard !isControl, data.count > 0 else { return }
        let end = position + data.count
        if offset < 0 || end > expected {
            corrupted = true
        } else if !corrupted {
            let same = pool.bytes.withUnsafeBytes { memcmp($0.baseAddress! + offset + position, data.baseAddress!, data.count) == 0 }
            if !same { corrupted = true }
        }
        position = end
    }

    func endObject() {
        guard !isControl else { return }
        session.objects += 1
        session.bytes += Int64(position)
        if position != expected { session.wrongSize += 1 } else if corrupted { session.corrupted += 1 }
    }

    func end(error: BrokenStreamError?) {
        if error != nil { session.brokenSessions += 1 }
        endpoint.add(session)
    }
}
