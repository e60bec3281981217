/// One thing wrong with a configuration: which key, what value it had, and what is allowed.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The dotted key, like `transport.burst_buffer` or `endpoints[1].name`.
    public var key: String
    /// The offending value as it appeared in the file (JSON text; strings quoted).
    public var value: String
    /// What is wrong and what would be allowed, like `must be an integer in 256..4096`.
    public var message: String

    /// Creates a problem.
    /// - Parameters:
    ///   - key: The dotted key.
    ///   - value: The offending value as JSON text.
    ///   - message: What is wrong and what is allowed.
    public init(key: String, value: String, message: String) {
        self.key = key
        self.value = value
        self.message = message
    }

    /// `key: value: message`, the line `objstream config check` prints.
    public var description: String { "\(key): \(value): \(message)" }
}
