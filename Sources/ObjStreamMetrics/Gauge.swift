import Synchronization

/// A value that goes up and down, safe to change from any thread without a lock.
public final class Gauge: Sendable {
    private let storage = Atomic<Int64>(0)

    /// Creates a gauge at zero.
    public init() {}

    /// Adds `amount` (which may be negative).
    public func add(_ amount: Int64) {
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// Adds one.
    public func increment() { add(1) }

    /// Subtracts one.
    public func decrement() { add(-1) }

    /// Sets the value.
    public func set(_ value: Int64) {
        storage.store(value, ordering: .relaxed)
    }

    /// The current value.
    public var value: Int64 { storage.load(ordering: .relaxed) }
}
