extension Histogram {
    /// Observations gathered on one thread, without a lock, then added to their histogram
    /// at once with ``Histogram/record(_:)``: for a data path that observes per object and
    /// publishes per chunk.
    public struct Batch: Sendable {
        private let bounds: [Double]
        /// Observations per bucket (not cumulative), `+Inf` last.
        private(set) var counts: [UInt64]
        /// The sum of the observations.
        private(set) var sum: Double = 0
        /// The number of observations.
        public private(set) var count: UInt64 = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            self.counts = [UInt64](repeating: 0, count: bounds.count + 1)
        }

        /// Records one observation in the batch.
        /// - Parameter value: The observed value.
        public mutating func observe(_ value: Double) {
            counts[Histogram.bucket(of: value, in: bounds)] += 1
            sum += value
            count += 1
        }

        /// Empties the batch, keeping its storage.
        mutating func reset() {
            for i in counts.indices { counts[i] = 0 }
            sum = 0
            count = 0
        }
    }
}
