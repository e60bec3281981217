/// A bucket namespace: a remote cluster's UUID and a name; both empty is the global namespace.
public struct Namespace: Hashable, Sendable, CustomStringConvertible {
    /// The UUID of the cluster that owns the namespace.
    public var uuid: String
    /// The namespace's name.
    public var name: String

    /// Creates a namespace.
    public init(uuid: String = "", name: String = "") {
        self.uuid = uuid
        self.name = name
    }

    /// The global namespace.
    public static let global = Namespace()

    /// Whether this is the global namespace.
    public var isGlobal: Bool { uuid.isEmpty && name.isEmpty }

    /// `@uuid#name`, either part left out when empty; empty for the global namespace.
    public var description: String {
        (uuid.isEmpty ? "" : "@" + uuid) + (name.isEmpty ? "" : "#" + name)
    }
}
