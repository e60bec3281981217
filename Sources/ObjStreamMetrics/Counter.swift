import Synchronization

/// A monotonically increasing count, safe to bump from any thread without a lock.
public final class Counter: Sendable {
    private let storage = Atomic<UInt64>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds `amount` to the counter.
    /// - Parameter amount: How much to add.
    @inlinable
    public func increment(by amount: UInt64 = 1) {
        add(amount)
    }

    @usableFromInline
    func add(_ amount: UInt64) {
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current value.
    public var value: UInt64 { storage.load(ordering: .relaxed) }
}
