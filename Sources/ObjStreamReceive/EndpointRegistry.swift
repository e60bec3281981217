import Synchronization

/// The named endpoints of a receiver (`Handle` / `Unhandle` of WIRE.md 5).
///
/// Thread-safe; lookups take one short lock per request, never per chunk.
public final class EndpointRegistry: Sendable {
    /// What a lookup found.
    public enum Lookup: Sendable {
        /// A registered endpoint.
        case found(any Endpoint)
        /// A name that was never registered: the request is refused (`404`).
        case unknown
        /// A name among the most recently unregistered: the late request is drained quietly.
        case alreadyClosed
    }

    /// How many recently unregistered names are remembered as *already closed*.
    public static let closedMemory = 32

    private struct State {
        var endpoints: [String: any Endpoint] = [:]
        var closed: [String] = []
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Registers an endpoint.
    /// - Parameters:
    ///   - name: The endpoint name (`trname`).
    ///   - endpoint: What makes the receivers of its sessions.
    /// - Throws: ``EndpointError/Code/duplicate`` when the name is taken.
    public func register(_ name: String, _ endpoint: any Endpoint) throws(EndpointError) {
        let taken = state.withLock { state -> Bool in
            if state.endpoints[name] != nil { return true }
            state.endpoints[name] = endpoint
            state.closed.removeAll { $0 == name }
            return false
        }
        if taken { throw EndpointError(code: .duplicate, name: name, message: "already registered") }
    }

    /// Unregisters an endpoint; later requests for it are *already closed*.
    /// - Parameter name: The endpoint name.
    /// - Throws: ``EndpointError/Code/alreadyRemoved`` when no such endpoint is registered.
    public func unregister(_ name: String) throws(EndpointError) {
        let removed = state.withLock { state -> Bool in
            guard state.endpoints.removeValue(forKey: name) != nil else { return false }
            state.closed.removeAll { $0 == name }
            state.closed.append(name)
            if state.closed.count > Self.closedMemory { state.closed.removeFirst() }
            return true
        }
        if !removed { throw EndpointError(code: .alreadyRemoved, name: name, message: "not registered") }
    }

    /// Finds an endpoint by name.
    /// - Parameter name: The endpoint name (`trname`).
    /// - Returns: The endpoint, or whether the name is unknown or already closed.
    public func lookup(_ name: String) -> Lookup {
        state.withLock { state in
            if let endpoint = state.endpoints[name] { return .found(endpoint) }
            return state.closed.contains(name) ? .alreadyClosed : .unknown
        }
    }

    /// The registered names, sorted.
    public var names: [String] { state.withLock { $0.endpoints.keys.sorted() } }

    /// The registered endpoints that report themselves unhealthy, by name (sorted).
    ///
    /// Each endpoint's ``Endpoint/health`` is asked outside the registry's lock.
    public var unhealthy: [(name: String, health: EndpointHealth)] {
        let endpoints = state.withLock { $0.endpoints }
        return endpoints.keys.sorted().compactMap { name in
            let health = endpoints[name]!.health
            return health.isHealthy ? nil : (name, health)
        }
    }
}
