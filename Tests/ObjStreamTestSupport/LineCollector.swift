import Foundation
import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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

    /// Starts reading `fd` until it reaches end of file, then closes it.
    ///
    /// The corresponding C function is `read`.
    /// - Parameter fd: The read end of a pipe (a child's standard output or error); the
    ///   collector owns it.
    public init(reading fd: Int32) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { raw in retryingOnInterrupt { read(fd, raw.baseAddress, raw.count) } }
                if n <= 0 { break }
                let data = Data(buffer[0..<n])
                // Each byte is looked at once; only a line's unfinished tail waits in `pending`.
                var lines: [String] = []
                var start = data.startIndex
                while let newline = data[start...].firstIndex(of: 10) {
                    pending += data[start..<newline]
                    lines.append(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                    start = newline + 1
                }
                pending += data[start...]
                state.withLock {
                    $0.bytes += data
                    $0.lines += lines
                }
            }
            close(fd)
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
