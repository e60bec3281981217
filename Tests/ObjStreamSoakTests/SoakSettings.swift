import Foundation

/// How long the soak runs and how the time is split: `OBJSTREAM_SOAK_SECONDS` (default 6,
/// the smoke run of `make test`; `make soak` sets 600), 60 % steady traffic, 40 % chaos.
struct SoakSettings: Sendable {
    /// The whole soak.
    var total: Duration
    /// Whether this is the long run of `make soak` (`OBJSTREAM_SOAK=1`).
    var isLongRun: Bool

    /// The settings of the environment.
    static let current: SoakSettings = {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["OBJSTREAM_SOAK_SECONDS"].flatMap(Double.init).map { max(2, $0) } ?? 6
        return SoakSettings(total: .milliseconds(Int64(seconds * 1000)), isLongRun: environment["OBJSTREAM_SOAK"] == "1")
    }()

    /// Phase 1, steady traffic with idle pauses.
    var steady: Duration { total * 0.6 }
    /// Phase 2, the gateway killed and restarted while streams send.
    var chaos: Duration { total * 0.4 }
    /// The time between two kills of the gateway in phase 2: a sixth of the phase, 0.4 to 10 s.
    var restartInterval: Duration { min(max(chaos / 6, .milliseconds(400)), .seconds(10)) }
    /// How often phase 2 kills the gateway: once per interval, leaving one interval of traffic at the end.
    var restarts: Int { max(3, Int((chaos / restartInterval).rounded(.down)) - 1) }
    /// The sender's idle teardown: short, so that the pauses of phase 1 end requests.
    static let idleTeardown: Duration = .seconds(1)
}
