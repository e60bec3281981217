import ObjStreamReceive
import ObjStreamWire
import Synchronization

/// An endpoint that records every event of every session, copying the bytes.
final class RecordingEndpoint: Endpoint {
    struct Object: Sendable {
        var header: ObjectHeader
        var bytes: [UInt8]
        var complete: Bool
    }

    struct Session: Sendable {
        var info: SessionInfo
        var objects: [Object] = []
        var ends: [BrokenStreamError?] = []
        var dataBytes = 0
    }

    private let sessions = Mutex<[Session]>([])
    /// Thrown from `receive(data:)` once this many data bytes of a session have arrived (nil: never).
    let throwAfterBytes: Int?

    init(throwAfterBytes: Int? = nil) { self.throwAfterBytes = throwAfterBytes }

    var recorded: [Session] { sessions.withLock { $0 } }

    /// Every end error of every session, in order.
    var ends: [BrokenStreamError?] { recorded.flatMap(\.ends) }

    func makeReceiver(for session: SessionInfo) -> any ObjectReceiver {
        let index = sessions.withLock { s -> Int in
            s.append(Session(info: session))
            return s.count - 1
        }
        return Receiver(endpoint: self, index: index)
    }

    struct Thrown: Error, CustomStringConvertible {
        var description: String { "the test receiver refuses more data" }
    }

    fileprivate func update(_ index: Int, _ change: (inout Session) -> Void) {
        sessions.withLock { change(&$0[index]) }
    }

    private final class Receiver: ObjectReceiver {
        let endpoint: RecordingEndpoint
        let index: Int
        var seen = 0

        init(endpoint: RecordingEndpoint, index: Int) {
            self.endpoint = endpoint
            self.index = index
        }

        func receive(header: ObjectHeader) {
            endpoint.update(index) { $0.objects.append(Object(header: header, bytes: [], complete: false)) }
        }

        func receive(data: UnsafeRawBufferPointer) throws {
            seen += data.count
            endpoint.update(index) { s in
                s.objects[s.objects.count - 1].bytes += data
                s.dataBytes += data.count
            }
            if let limit = endpoint.throwAfterBytes, seen >= limit { throw Thrown() }
        }

        func endObject() {
            endpoint.update(index) { s in s.objects[s.objects.count - 1].complete = true }
        }

        func end(error: BrokenStreamError?) {
            endpoint.update(index) { $0.ends.append(error) }
        }
    }
}
