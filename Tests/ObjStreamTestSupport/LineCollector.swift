import Foundation
import Synchronization

/// Collects what a child process writes to a pipe, one entry per line, on a thread of
/// its own, so that a test can wait for a line (a startup message, a session log) while
/// the process runs.
public final class LineCollector: Sendable {
    private let items = Mutex<[String]>([])
    private let closed = DispatchSemaphore(value: 0)

    /// Starts reading `handle` until it reaches end of file.
    /// - Parameter handle: The read end of a pipe (a child's standard error, say).
    public init(reading handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending += data
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    self.items.withLock { $0.append(line) }
                    pending = Data(pending[(newline + 1)...])
                }
            }
            self.closed.signal()
        }
    }

    /// The lines read so far.
    public var lines: [String] { items.withLock { $0 } }

    /// Waits until the writer closed the pipe (the process exited).
    /// - Parameter timeout: How long to wait.
    /// - Returns: Whether the pipe was closed in time.
    @discardableResult
    public func waitUntilClosed(timeout: Duration = .seconds(10)) -> Bool {
        closed.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success
    }
}
