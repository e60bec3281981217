/// What is wrong with one field of the gateway's TLS settings.
public struct GatewayTLSProblem: Error, Sendable, CustomStringConvertible {
    /// The field (`cert`, `key`, `client_ca`, `priorities`).
    public var field: GatewayTLS.Field
    /// What is wrong, naming the file.
    public var message: String

    public var description: String { "tls.\(field.rawValue): \(message)" }
}
