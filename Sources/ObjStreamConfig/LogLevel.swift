/// How much the process logs.
public enum LogLevel: String, Sendable, CaseIterable {
    /// Everything, including per-object traces.
    case debug
    /// One line per session and lifecycle events.
    case info
    /// Problems that were handled.
    case warning
    /// Only failures.
    case error
}
