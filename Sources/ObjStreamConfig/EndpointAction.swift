/// What a receive endpoint does with the objects it receives.
public enum EndpointAction: String, Sendable, CaseIterable {
    /// Count the objects and discard their bytes.
    case sink
    /// Store every object as a file under the store directory.
    case store
}
