/// Why a stream terminated (`TermInfo`).
public enum TerminationReason: Sendable, CustomStringConvertible {
    /// `fin()` sent the end-of-stream marker and every object completed.
    case endOfStream
    /// `stop()` or `abort()` ended the stream.
    case stopped
    /// A network, protocol or source error ended the stream.
    case error(SendError)

    /// The reason as the reference names it: `end-of-stream`, `stopped`, or `error`.
    public var name: String {
        switch self {
        case .endOfStream: "end-of-stream"
        case .stopped: "stopped"
        case .error: "error"
        }
    }

    /// The error of an abnormal end, else nil.
    public var error: SendError? {
        if case .error(let e) = self { return e }
        return nil
    }

    public var description: String {
        switch self {
        case .endOfStream, .stopped: name
        case .error(let e): "error: \(e)"
        }
    }
}
