import Foundation

/// The end of `objstream send`: the failures on standard error, one summary line on standard output.
struct SendSummary {
    /// The failure lines, at most ``SendFailures/namedLimit`` named plus one line of counts.
    var failureLines: [String]
    /// The summary line: `sent N objects, B bytes in T s (R MB/s), F failed`.
    var line: String
    /// How many objects failed.
    var failed: Int

    /// Sums up a send.
    /// - Parameters:
    ///   - progress: The counters at the end.
    ///   - elapsed: How long the send took.
    init(_ progress: SendProgress, elapsed: Duration) {
        failureLines = progress.streamErrors.lines + progress.failures.lines
        failed = progress.failures.count
        let seconds = elapsed.seconds
        let bytes = progress.bytes.load(ordering: .relaxed)
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        line = "sent \(progress.objects.load(ordering: .relaxed)) objects, \(bytes) bytes in "
            + String(format: "%.2f s (%.1f MB/s), %d failed", seconds, rate, failed)
    }

    /// Writes the failures and the summary line, and flushes standard output.
    func write() {
        for failure in failureLines { StandardError.write(failure + "\n") }
        print(line)
        fflush(nil)
    }
}
