import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The progress line of `objstream send`, redrawn twice a second on standard error when it is a terminal.
final class ProgressReporter: Sendable {
    private let progress: SendProgress
    private let totalBytes: Int64
    private let itemCount: Int
    private let started: ContinuousClock.Instant
    private let done = Atomic(false)

    /// Whether standard error is a terminal (else there is no progress line).
    /// The corresponding C function is `isatty`.
    static var isTerminal: Bool { isatty(2) != 0 }

    /// Starts drawing the line, on a terminal.
    /// - Parameters:
    ///   - progress: The counters.
    ///   - totalBytes: The bytes of every object, for the ETA.
    ///   - itemCount: How many objects.
    ///   - started: When the send started.
    init(_ progress: SendProgress, totalBytes: Int64, itemCount: Int, started: ContinuousClock.Instant) {
        self.progress = progress
        self.totalBytes = totalBytes
        self.itemCount = itemCount
        self.started = started
        guard Self.isTerminal else { return }
        Thread { [self] in
            while !done.load(ordering: .acquiring) {
                usleep(500_000)
                if done.load(ordering: .acquiring) { break }
                StandardError.write("\r" + line + "   ")
            }
        }.start()
    }

    /// Stops redrawing; the line stays until ``clear()``.
    func stop() {
        done.store(true, ordering: .releasing)
    }

    /// Erases the line, on a terminal.
    func clear() {
        if Self.isTerminal { StandardError.write("\r\u{1b}[K") }
    }

    /// The progress line: objects, bytes, rate and ETA.
    private var line: String {
        let seconds = max(0.001, started.duration(to: .now).seconds)
        let bytes = Double(progress.bytes.load(ordering: .relaxed))
        let rate = bytes / seconds
        let eta = rate > 0 ? (Double(totalBytes) - bytes) / rate : 0
        return String(
            format: "%d/%d objects, %.1f/%.1f MB, %.1f MB/s, ETA %.0f s", progress.objects.load(ordering: .relaxed),
            itemCount, bytes / 1e6, Double(totalBytes) / 1e6, rate / 1e6, eta)
    }
}
