import Foundation
import Synchronization

/// Collects what a child process writes to a pipe, one entry per line, on a thread of
/// its own, so that a test can wait for a line while the process runs and a full pipe
/// never blocks the child.
public final class LineCollector: Sendable {
    private struct State {
        var lines: [String] = []
        var bytes = Data()
        var closed = false
    }

    private let state = Mutex(State())

    /// Starts reading `handle` until it reaches end of file.
    /// - Parameter handle: The read end of a pipe (a child's standard output or error).
    public init(reading handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending += data
                var lines: [String] = []
                while let newline = pending.firstIndex(of: 10) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
                state.withLock {
                    $0.bytes += data
                    $0.lines += lines
                }
            }
            state.withLock {
                if !pending.isEmpty { $0.lines.append(String(decoding: pending, as: UTF8.self)) }
                $0.closed = true
            }
        }
    }

    /// The lines read so far (a last line without its newline once the pipe closed).
    public var lines: [String] { state.withLock { $0.lines } }

    /// Everything read so far, as text.
    public var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Whether the writer closed the pipe and everything was read.
    public var isClosed: Bool { state.withLock { $0.closed } }
}
