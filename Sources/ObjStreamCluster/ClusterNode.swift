/// One member of the cluster: who it is, where its gateway listens, and how its signatures are checked.
public struct ClusterNode: Sendable, Hashable {
    /// The node's id (`id`): what it sends as `Ais-Caller-Id` and what `--node` names.
    public var id: String
    /// The base URL of its gateway (`url`), like `http://10.0.0.2:9080`; streams go to
    /// `<url>/v1/objstream/<trname>`.
    public var url: String
    /// Its Ed25519 public key (`public_key`); nil while signing is off for it.
    public var publicKey: NodePublicKey?

    /// Creates a node.
    /// - Parameters:
    ///   - id: The node's id.
    ///   - url: The base URL of its gateway.
    ///   - publicKey: Its public key, if it signs.
    public init(id: String, url: String, publicKey: NodePublicKey? = nil) {
        self.id = id
        self.url = url
        self.publicKey = publicKey
    }
}
