import Synchronization

/// A distribution of observed values over fixed, cumulative upper bounds.
public final class Histogram: Sendable {
    /// The upper bounds of the buckets, ascending; `+Inf` is implied.
    public let bounds: [Double]
    private let state: Mutex<State>

    struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    /// A snapshot of a histogram's buckets, sum and count.
    public struct Snapshot: Sendable {
        /// Cumulative counts per bound, `+Inf` last (equal to ``count``).
        public var cumulative: [UInt64]
        /// The sum of all observations.
        public var sum: Double
        /// The number of observations.
        public var count: UInt64
    }

    /// Creates a histogram.
    /// - Parameter bounds: Upper bounds of the buckets, ascending.
    public init(bounds: [Double]) {
        precondition(bounds == bounds.sorted(), "histogram bounds must be ascending")
        self.bounds = bounds
        self.state = Mutex(State(counts: [UInt64](repeating: 0, count: bounds.count + 1)))
    }

    /// Records one observation.
    /// - Parameter value: The observed value.
    public func observe(_ value: Double) {
        let bucket = Self.bucket(of: value, in: bounds)
        state.withLock {
            $0.counts[bucket] += 1
            $0.sum += value
            $0.count += 1
        }
    }

    /// Adds a batch of observations at once (one lock for all of them) and empties it.
    /// - Parameter batch: Observations gathered with ``makeBatch()``.
    public func record(_ batch: inout Batch) {
        guard batch.count > 0 else { return }
        state.withLock { s in
            for (i, n) in batch.counts.enumerated() where n > 0 { s.counts[i] += n }
            s.sum += batch.sum
            s.count += batch.count
        }
        batch.reset()
    }

    /// An empty batch for observations made on one thread without the lock, for ``record(_:)``.
    /// - Returns: The batch.
    public func makeBatch() -> Batch { Batch(bounds: bounds) }

    /// The index of the bucket a value falls in: the first bound at or above it, or the `+Inf` bucket.
    /// - Parameters:
    ///   - value: The observed value.
    ///   - bounds: The ascending bounds.
    /// - Returns: The bucket's index, `bounds.count` for `+Inf`.
    static func bucket(of value: Double, in bounds: [Double]) -> Int {
        var lo = 0
        var hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The current buckets, cumulative, with sum and count.
    public var snapshot: Snapshot {
        state.withLock { s in
            var running: UInt64 = 0
            let cumulative = s.counts.map { running += $0; return running }
            return Snapshot(cumulative: cumulative, sum: s.sum, count: s.count)
        }
    }

    /// Bounds that grow by `factor` from `start`, `count` of them.
    public static func exponentialBounds(start: Double, factor: Double, count: Int) -> [Double] {
        (0..<count).map { start * pow(factor, Double($0)) }
    }

    private static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= base }
        return result
    }
}
