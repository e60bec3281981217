/// A fault that ``FaultProxy`` did to a connection.
public struct InjectedFault: Sendable, Hashable, CustomStringConvertible {
    /// Which connection: 0 for the first one the proxy accepted.
    public var connection: Int
    /// What it did.
    public var kind: Fault
    /// The client-to-upstream byte it hit: the bytes before it were forwarded.
    public var offset: Int

    /// Creates a record of a fault.
    /// - Parameters:
    ///   - connection: Which connection, from 0.
    ///   - kind: What was done.
    ///   - offset: The client-to-upstream byte it hit.
    public init(connection: Int, kind: Fault, offset: Int) {
        self.connection = connection
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "connection \(connection): \(kind) at \(offset)" }
}
