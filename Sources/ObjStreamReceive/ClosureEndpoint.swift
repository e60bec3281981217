/// An endpoint that makes its receivers with a closure.
public struct ClosureEndpoint: Endpoint {
    private let make: @Sendable (SessionInfo) -> any ObjectReceiver

    /// Creates the endpoint.
    /// - Parameter make: Makes the receiver of each session.
    public init(_ make: @escaping @Sendable (SessionInfo) -> any ObjectReceiver) { self.make = make }

    public func makeReceiver(for session: SessionInfo) -> any ObjectReceiver { make(session) }
}
