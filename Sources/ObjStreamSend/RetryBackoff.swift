/// The sleeps between connection attempts: x1.5 per attempt with about 3% jitter, capped.
public struct RetryBackoff: Sendable {
    private var nominal: Duration
    private let cap: Duration

    /// Creates a backoff.
    /// - Parameters:
    ///   - first: The first sleep (100 ms .. 2 s).
    ///   - cap: The longest sleep.
    public init(first: Duration = .milliseconds(200), cap: Duration = .seconds(3)) {
        self.nominal = first
        self.cap = cap
    }

    /// The next sleep.
    /// - Returns: The current sleep with jitter; the following one is 1.5 times as long, up to the cap.
    public mutating func next() -> Duration {
        let current = nominal
        nominal = min(nominal * 1.5, cap)
        return current * Double.random(in: 0.97...1.03)
    }
}
