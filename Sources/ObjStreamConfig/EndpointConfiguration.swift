/// One receive endpoint: `PUT /v1/objstream/<name>` and what happens to its objects.
public struct EndpointConfiguration: Sendable, Equatable {
    /// The transport name in the URL: non-empty, no `/`, unique.
    public var name: String
    /// What the endpoint does with what it receives.
    public var action: EndpointAction

    /// Creates an endpoint.
    /// - Parameters:
    ///   - name: The transport name.
    ///   - action: Sink or store.
    public init(name: String, action: EndpointAction) {
        self.name = name
        self.action = action
    }
}
