import Synchronization

/// The per-process counter of stream session ids (`Ais-Session-Id`); the first is 101.
enum SessionID {
    private static let counter = Atomic<Int64>(100)

    /// The next session id.
    static func next() -> Int64 { counter.add(1, ordering: .relaxed).newValue }
}
