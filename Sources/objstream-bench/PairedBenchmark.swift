import Foundation

/// Confirmed delivery against the same case without it, as alternating pairs in one run
/// (`--pairs N`): on a shared machine single rows drift by tens of percent, a ratio of
/// two neighbouring runs much less. Reports each pair's ratio and their median.
enum PairedBenchmark {
    /// One pair: the case without and with confirmed delivery, run back to back.
    struct Pair: Codable, Sendable {
        var unconfirmedGBps: Double
        var confirmedGBps: Double
        var ratio: Double { unconfirmedGBps > 0 ? confirmedGBps / unconfirmedGBps : 0 }
    }

    /// The pairs of one confirmed case and the median of their ratios.
    struct Result: Codable, Sendable {
        var name: String
        var pairs: [Pair]
        var verified: Bool
        var medianRatio: Double { pairs.map(\.ratio).sorted().middle }
    }

    /// Runs `count` pairs of a confirmed case and its twin without confirmation; the order
    /// within a pair alternates, so a drift of the machine favours neither.
    /// - Parameters:
    ///   - confirmed: The case with confirmed delivery.
    ///   - count: How many pairs.
    /// - Returns: Every pair's throughput, printed as it goes.
    static func run(_ confirmed: BenchCase, count: Int) throws -> Result {
        var twin = confirmed
        twin.confirmed = false
        var pairs: [Pair] = []
        var verified = true
        for i in 0..<count {
            let order = i % 2 == 0 ? [twin, confirmed] : [confirmed, twin]
            var runs: [Bool: StreamBenchmark.Run] = [:]
            for benchCase in order { runs[benchCase.confirmed] = try StreamBenchmark.run(benchCase) }
            let plain = runs[false]!
            let checked = runs[true]!
            verified = verified && plain.verified && checked.verified
            let pair = Pair(unconfirmedGBps: plain.gigabytesPerSecond, confirmedGBps: checked.gigabytesPerSecond)
            pairs.append(pair)
            BenchText.say(
                "  " + confirmed.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(format: " pair %2d: %6.2f against %6.2f GB/s  %.2f", i + 1, pair.confirmedGBps,
                        pair.unconfirmedGBps, pair.ratio))
        }
        let result = Result(name: confirmed.name, pairs: pairs, verified: verified)
        BenchText.say(
            "  " + confirmed.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " median of %d pair ratios: %.2f%@", count, result.medianRatio,
                    verified ? "" : "  BYTES MISMATCH"))
        return result
    }
}
