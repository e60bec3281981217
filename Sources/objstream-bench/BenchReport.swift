import Foundation

/// Every result of one `objstream-bench` run, printed as a table and written as JSON.
struct BenchReport: Codable {
    /// The sender alone in dry-run mode.
    struct DryRun: Codable {
        var objectSize: Int
        var gigabytesPerSecond: Double
        var objectsPerSecond: Double
        var cpuPerGiB: Double
    }

    /// One case: the median of its runs, the spread, and the ratio to the baseline.
    struct Row: Codable {
        var name: String
        var runs: [StreamBenchmark.Run]

        private func median(_ values: [Double]) -> Double { values.sorted().middle }
        /// The median of the baselines measured next to this row's runs.
        var baselineGBps: Double { median(runs.map(\.baselineGBps)) }
        var gigabytesPerSecond: Double { median(runs.map(\.gigabytesPerSecond)) }
        var spread: Double {
            let v = runs.map(\.gigabytesPerSecond)
            return (v.max() ?? 0) - (v.min() ?? 0)
        }
        var objectsPerSecond: Double { median(runs.map(\.objectsPerSecond)) }
        var senderCPUPerGiB: Double { median(runs.map(\.senderCPUPerGiB)) }
        var receiverCPUPerGiB: Double { median(runs.map(\.receiverCPUPerGiB)) }
        var senderPeakRSS: Int { runs.map(\.senderPeakRSS).max() ?? 0 }
        var receiverPeakRSS: Int { runs.map(\.receiverPeakRSS).max() ?? 0 }
        /// The median of each run's throughput over its own baseline.
        var ratio: Double { median(runs.map { $0.baselineGBps > 0 ? $0.gigabytesPerSecond / $0.baselineGBps : 0 }) }
        var verified: Bool { runs.allSatisfy(\.verified) }

        var line: String {
            func f(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
            let numbers = BenchText.columns([
                (f(gigabytesPerSecond, 2), 6), ("±" + f(spread, 2), 6), (f(objectsPerSecond, 0), 10),
                (f(senderCPUPerGiB, 3), 8), (f(receiverCPUPerGiB, 3), 8),
                (String(senderPeakRSS >> 20) + "M", 7), (String(receiverPeakRSS >> 20) + "M", 7),
                (f(baselineGBps, 2), 5), (f(ratio, 2) + "x", 6),
            ])
            return name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + " " + numbers + " "
                + (verified ? "  ok" : "  BYTES MISMATCH")
        }
    }

    /// The width of the case column: the longest name (`1MiB x1 plain mem chunk=4KiB preframed`).
    static let nameWidth = 38

    static let tableHeader =
        "case".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + " "
        + BenchText.columns([
            ("GB/s", 6), ("spread", 6), ("objects/s", 10), ("tx s/GiB", 8), ("rx s/GiB", 8), ("tx RSS", 7), ("rx RSS", 7),
            ("iperf", 5), ("ratio", 6),
        ]) + " " + "  check"

    var decoder: [DecoderBenchmark.Result] = []
    var dryRun: [DryRun] = []
    var baselineGBps: Double = 0
    var rows: [Row] = []
    var memory: MemoryBenchmark.Result?
    /// `lz4 -b1` on the text payload, GB/s, when an `lz4-text` row ran.
    var lz4BaselineGBps: Double?
    /// `--pairs`: confirmed cases against their twins without confirmation.
    var pairs: [PairedBenchmark.Result] = []

    /// The report as pretty-printed JSON.
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
