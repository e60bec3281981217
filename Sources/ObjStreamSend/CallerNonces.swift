import Foundation
import ObjStreamCluster
import Synchronization

/// The `Ais-Caller-Nonce` counter of one sender node: strictly increasing across every stream
/// of the process that signs as that node, from a seed.
///
/// The seed is the wall clock in nanoseconds since 1970 plus a random offset below 2^20
/// (about a millisecond): random, yet above every nonce an earlier run of the same node took,
/// since no run takes a nonce per nanosecond. A receiver's replay window (which remembers
/// a node's highest nonce, across its own restarts too) so never mistakes a restarted sender
/// for a replay. A clock stepped back by more than the nonces used since would.
public final class CallerNonces: Sendable {
    private let last: Atomic<UInt64>
    private static let registry = Mutex<[String: CallerNonces]>([:])

    /// Creates a counter whose first nonce is `seed + 1`.
    /// - Parameter seed: The value before the first nonce.
    public init(seed: UInt64) {
        last = Atomic(seed)
    }

    /// The process's counter of a node, made on first use with ``clockSeed()``.
    /// - Parameter node: The node id.
    /// - Returns: The one counter every stream of the process signing as `node` shares.
    public static func shared(for node: String) -> CallerNonces {
        registry.withLock { counters in
            if let counter = counters[node] { return counter }
            let counter = CallerNonces(seed: clockSeed())
            counters[node] = counter
            return counter
        }
    }

    /// A seed: the wall clock in nanoseconds plus a random offset below 2^20.
    /// - Returns: The seed.
    public static func clockSeed() -> UInt64 {
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        return now + UInt64.random(in: 0..<(1 << 20))
    }

    /// Takes the next nonce.
    /// - Returns: A nonce above every one taken before.
    public func next() -> UInt64 {
        last.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
