import ObjStreamSend
import ObjStreamWire
import Synchronization

/// Counts every completion of the objects of one stream kind: each object registered
/// here must be completed exactly once, its source closed exactly once before.
final class CompletionLedger: Sendable {
    /// What the ledger holds at one moment.
    struct Totals: Sendable {
        /// Objects registered (handed to `send`).
        var registered = 0
        /// Objects completed without an error.
        var delivered = 0
        /// Data bytes of those objects.
        var deliveredBytes: Int64 = 0
        /// Objects completed with an error.
        var failed = 0
        /// Failures by error code.
        var failuresByCode: [String: Int] = [:]
        /// Completions of an object that had already completed.
        var duplicates = 0
        /// Registered objects not completed.
        var uncompleted = 0
        /// Completions whose source was not closed exactly once by then.
        var badCloses = 0
    }

    /// The context of a soak object: its ledger slot and its source.
    struct Context: Sendable {
        var slot: Int
        var source: PoolSource?
    }

    private struct State {
        var completions: [UInt8] = []
        var sizes: [Int64] = []
        var totals = Totals()
    }

    private let state = Mutex(State())

    /// Registers an object about to be sent.
    /// - Parameters:
    ///   - size: Its data bytes (the real count for unsized objects).
    ///   - source: Its source, nil for header-only objects.
    /// - Returns: The context to send it with.
    func register(size: Int, source: PoolSource?) -> Context {
        state.withLock { s in
            s.completions.append(0)
            s.sizes.append(Int64(size))
            s.totals.registered += 1
            return Context(slot: s.completions.count - 1, source: source)
        }
    }

    /// The stream callback that records completions (contexts must be ``Context``).
    var callback: SentCallback {
        { [self] _, context, error in
            let context = context as! Context
            let closedOnce = context.source.map { $0.closeCount == 1 } ?? true
            state.withLock { s in
                if !closedOnce { s.totals.badCloses += 1 }
                s.completions[context.slot] &+= 1
                if s.completions[context.slot] > 1 {
                    s.totals.duplicates += 1
                    return
                }
                if let error {
                    s.totals.failed += 1
                    s.totals.failuresByCode[error.code.description, default: 0] += 1
                } else {
                    s.totals.delivered += 1
                    s.totals.deliveredBytes += s.sizes[context.slot]
                }
            }
        }
    }

    /// The totals now, with the uncompleted objects counted.
    var totals: Totals {
        state.withLock { s in
            var t = s.totals
            t.uncompleted = s.completions.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
            return t
        }
    }
}
