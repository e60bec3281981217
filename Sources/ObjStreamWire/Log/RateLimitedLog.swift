import Synchronization

/// A log for lines that a sender can cause at will (one per refused object, one per refused
/// connection): at most `limit` lines per `interval`, the rest counted and reported as one
/// `objstream: suppressed N <what> log lines` line, before the next line that passes or at
/// ``flush()``.
public final class RateLimitedLog: Sendable {
    private struct State {
        var windowStart: ContinuousClock.Instant
        var inWindow = 0
        var suppressed = 0
    }

    private let limit: Int
    private let interval: Duration
    private let what: String
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let sink: @Sendable (String) -> Void
    private let state: Mutex<State>

    /// Creates a rate-limited log.
    /// - Parameters:
    ///   - what: What the lines are, for the suppression line (`refused-object`).
    ///   - limit: How many lines pass per interval.
    ///   - interval: The interval.
    ///   - clock: The time now (a test's own clock; the monotonic clock by default).
    ///   - sink: Where the lines that pass go.
    public init(
        _ what: String, limit: Int = 10, per interval: Duration = .seconds(1),
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        sink: @escaping @Sendable (String) -> Void
    ) {
        self.what = what
        self.limit = limit
        self.interval = interval
        self.clock = clock
        self.sink = sink
        self.state = Mutex(State(windowStart: clock()))
    }

    /// Writes a line, or counts it when this interval's lines are used up.
    /// - Parameter line: The line, its wire data already escaped.
    public func callAsFunction(_ line: String) {
        let now = clock()
        let (pass, report) = state.withLock { s -> (Bool, Int) in
            if now - s.windowStart >= interval {
                s.windowStart = now
                s.inWindow = 0
            }
            guard s.inWindow < limit else {
                s.suppressed += 1
                return (false, 0)
            }
            s.inWindow += 1
            defer { s.suppressed = 0 }
            return (true, s.suppressed)
        }
        guard pass else { return }
        if report > 0 { sink(suppressionLine(report)) }
        sink(line)
    }

    /// Reports the lines suppressed since the last report, if any.
    /// - Parameter onlyAfterInterval: Report only once the interval in which lines were
    ///   suppressed has ended (for a thread that flushes now and then).
    public func flush(onlyAfterInterval: Bool = false) {
        let now = clock()
        let report = state.withLock { s -> Int in
            if onlyAfterInterval && now - s.windowStart < interval { return 0 }
            defer { s.suppressed = 0 }
            return s.suppressed
        }
        if report > 0 { sink(suppressionLine(report)) }
    }

    /// How many lines wait to be reported as suppressed.
    public var suppressedCount: Int { state.withLock { $0.suppressed } }

    private func suppressionLine(_ count: Int) -> String {
        "objstream: suppressed \(count) \(what) log line\(count == 1 ? "" : "s") (more than \(limit) in \(interval))"
    }
}
