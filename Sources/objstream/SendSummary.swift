import Foundation

/// The end of `objstream send`: the failures on standard error, the per-destination lines (with
/// `--cluster`) and one summary line on standard output.
struct SendSummary {
    /// The failure lines, at most ``SendFailures/namedLimit`` named plus one line of counts.
    var failureLines: [String]
    /// With `--cluster`: one line per destination, `node ID: sent N objects, B bytes, F failed`.
    var nodeLines: [String]
    /// The summary line: `sent N objects, B bytes in T s (R MB/s), F failed`.
    var line: String
    /// How many objects failed.
    var failed: Int

    /// Sums up a send.
    /// - Parameters:
    ///   - progress: The counters at the end.
    ///   - elapsed: How long the send took.
    ///   - nodeLines: The per-destination lines, with `--cluster`.
    init(_ progress: SendProgress, elapsed: Duration, nodeLines: [String] = []) {
        failureLines = progress.streamErrors.lines + progress.failures.lines
        self.nodeLines = nodeLines
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
        for node in nodeLines { print(node) }
        print(line)
        fflush(nil)
    }
}
