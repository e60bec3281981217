import ObjStreamSend
import ObjStreamWire
import Synchronization

/// The failures of a send: the first ones in full, the rest counted by error code, so that
/// 50,000 failed objects cost neither 50,000 lines nor 50,000 strings.
final class SendFailures: Sendable {
    /// How many failures the summary names one per line.
    static let namedLimit = 20

    private struct State {
        var named: [String] = []
        var countsByCode: [String: Int] = [:]
        var count = 0
    }

    private let state = Mutex(State())
    private let prefix: String

    /// Creates an empty record.
    /// - Parameter prefix: What each line starts with (`failed`).
    init(prefix: String = "failed") {
        self.prefix = prefix
    }

    /// Records one failure.
    /// - Parameters:
    ///   - subject: What failed: an object name, or `stream NAME`.
    ///   - error: Why.
    func record(_ subject: String, _ error: SendError) {
        state.withLock { state in
            state.count += 1
            if state.named.count < Self.namedLimit {
                // The message may quote what the receiver answered: one line, whatever it sent.
                state.named.append(LogEscaping.controls("\(subject): \(error)"))
            } else {
                state.countsByCode["\(error.code)", default: 0] += 1
            }
        }
    }

    /// How many failures were recorded.
    var count: Int { state.withLock { $0.count } }

    /// The lines for standard error: `PREFIX: SUBJECT: ERROR` for the first ``namedLimit`` failures,
    /// then `... and N more PREFIX: CODE n, CODE n` with the codes sorted by name.
    var lines: [String] {
        state.withLock { state in
            var lines = state.named.map { "\(prefix): \($0)" }
            let more = state.count - state.named.count
            if more > 0 {
                let counts = state.countsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                lines.append("... and \(more) more \(prefix): " + counts.joined(separator: ", "))
            }
            return lines
        }
    }
}
