import Testing

/// The kinds of receiver the acceptance tests run against.
enum ReceiverKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case raw, gateway

    var testDescription: String { rawValue }

    /// Starts a receiver.
    /// - Parameters:
    ///   - digests: Whether to hash every object's bytes.
    ///   - port: The port (0: any).
    func make(digests: Bool = false, port: UInt16 = 0) throws -> any TestReceiver {
        switch self {
        case .raw: try RawStreamServer(port: port, digests: digests)
        case .gateway: try LoopbackGateway(port: port, digests: digests)
        }
    }
}
