/// Keeps an empty collection as `nil`, so that copying or destroying a header with empty
/// opaque bytes, metadata or undecoded strings touches no reference count.
///
/// An empty array or dictionary is one shared, immortal object; retaining and releasing it
/// still calls the runtime, which takes its slow path for immortal objects. Headers are
/// copied and destroyed once per object, and those fields are nearly always empty.
@propertyWrapper
public struct EmptyAsNil<Value: EmptyCollection & Hashable>: Hashable {
    @usableFromInline var storage: Value?

    /// The collection; empty when none is stored.
    @inlinable public var wrappedValue: Value {
        get { storage ?? Value() }
        _modify {
            var value = storage.take() ?? Value()
            defer { storage = value.isEmpty ? nil : value }
            yield &value
        }
    }

    /// Stores a collection, or nothing when it is empty.
    /// - Parameter wrappedValue: The collection.
    @inlinable public init(wrappedValue: Value) {
        storage = wrappedValue.isEmpty ? nil : wrappedValue
    }
}

/// A collection that ``EmptyAsNil`` can keep: it can be made empty.
public protocol EmptyCollection: Collection {
    /// An empty collection.
    init()
}

extension EmptyAsNil: Sendable where Value: Sendable {}

extension Array: EmptyCollection {}
extension Dictionary: EmptyCollection {}
