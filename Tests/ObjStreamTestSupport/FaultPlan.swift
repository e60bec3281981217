/// Which connections ``FaultProxy`` faults, where, and how: drawn from a seed (so that a
/// run replays from it) or listed (for tests of one fault).
///
/// For each connection the plan has at most one candidate fault
/// (``candidate(forConnection:)``), a pure function of the plan and the connection's
/// number. The proxy gives a connection its candidate unless ``limit`` faults are already
/// injected or pending, or ``sparesTheNextConnection`` holds and the previous connection
/// got its fault (injected, or still pending: that connection is still open and may reach
/// its offset). A candidate whose connection ends before its offset is not injected, and
/// does not count.
public struct FaultPlan: Sendable {
    private enum Source: Sendable {
        case seeded(seed: UInt64, kinds: [Fault], offsets: ClosedRange<Int>)
        case listed([Int: (Fault, Int)])
    }

    private let source: Source
    /// The most faults the proxy injects in all.
    public let limit: Int
    /// Whether a connection right after one that got a fault gets none.
    public let sparesTheNextConnection: Bool

    /// The seeded plan: each connection gets a candidate with probability 1/2, its kind
    /// drawn uniformly from `kinds` and its offset from `offsets`; at most `faults` are
    /// injected, never on two connections in a row, and then the proxy forwards faithfully.
    ///
    /// Connection `n` draws from `SplitMix64(seed: seed &+ n)`: whether (the low bit of the
    /// first draw), which kind (the second draw modulo the kinds), which offset (the third).
    /// - Parameters:
    ///   - seed: The seed (print it, so a failing run replays).
    ///   - faults: The most faults to inject (not negative).
    ///   - kinds: The kinds to draw from (not empty).
    ///   - offsets: Where a fault may hit, in client-to-upstream bytes of its connection (not negative).
    public init(
        seed: UInt64, faults: Int, kinds: [Fault] = [.cut, .reset, .stall, .truncate], offsets: ClosedRange<Int>
    ) {
        precondition(faults >= 0 && !kinds.isEmpty && offsets.lowerBound >= 0, "bad fault plan")
        source = .seeded(seed: seed, kinds: kinds, offsets: offsets)
        limit = faults
        sparesTheNextConnection = true
    }

    /// The listed plan: exactly these faults, on these connections, with no other rule.
    /// - Parameter faults: For a connection number (0 for the first), the fault and its offset.
    public init(_ faults: [Int: (Fault, Int)]) {
        precondition(faults.allSatisfy { $0.key >= 0 && $0.value.1 >= 0 }, "bad fault plan")
        source = .listed(faults)
        limit = faults.count
        sparesTheNextConnection = false
    }

    /// No faults: the proxy forwards every connection faithfully.
    public static let faithful = FaultPlan([:])

    /// The fault a connection gets if the rules let it.
    /// - Parameter connection: The connection's number, 0 for the first.
    /// - Returns: The kind and the client-to-upstream offset, or nil for none.
    public func candidate(forConnection connection: Int) -> (kind: Fault, offset: Int)? {
        switch source {
        case .listed(let faults):
            return faults[connection].map { (kind: $0.0, offset: $0.1) }
        case .seeded(let seed, let kinds, let offsets):
            var generator = SplitMix64(seed: seed &+ UInt64(connection))
            let faulted = generator.next() & 1 == 1
            let kind = kinds[Int(generator.next() % UInt64(kinds.count))]
            let offset = offsets.lowerBound + Int(generator.next() % UInt64(offsets.count))
            return faulted ? (kind, offset) : nil
        }
    }
}
