import ObjStreamCluster

/// Who a stream's sender is in its cluster (WIRE.md section 7): every request carries the
/// cluster map's version (`Ais-Caller-Smap-Ver`), and with a signing key also a nonce and the
/// Ed25519 signature over the request's trname, sender id, session id, map version and nonce.
/// Each request a stream opens is signed anew: the first, those after an idle teardown and
/// each request of confirmed delivery.
public struct ClusterCaller: Sendable {
    /// The sender's node id; the stream's ``StreamOptions/senderID`` must be it.
    public var node: String
    /// The version of the sender's cluster map.
    public var mapVersion: Int64
    /// The node's signing key; nil: requests carry the map version only.
    public var signingKey: NodeSigningKey?
    /// Where the nonces come from: by default the process's one counter for ``node``.
    public var nonces: CallerNonces

    /// Creates a caller from a cluster map.
    /// - Parameters:
    ///   - map: The sender's cluster map.
    ///   - node: The sender's node id, a member of `map`.
    ///   - signingKey: Its signing key, whose public key must be the map's `public_key` of the node.
    ///   - nonces: The nonce counter; nil: ``CallerNonces/shared(for:)``.
    /// - Throws: ``SendError`` with ``SendError/Code/invalidOptions`` when the node is not in the map,
    ///   or when it signs and the map has no public key for it or another one.
    public init(map: ClusterMap, node: String, signingKey: NodeSigningKey? = nil, nonces: CallerNonces? = nil)
        throws(SendError)
    {
        guard let member = map.node(node) else {
            throw SendError(
                code: .invalidOptions, message: "node '\(node)' is not in the cluster map (version \(map.version))")
        }
        if let signingKey {
            guard let published = member.publicKey else {
                throw SendError(
                    code: .invalidOptions,
                    message: "node '\(node)' has no public_key in the cluster map: receivers cannot verify its signatures")
            }
            guard published == signingKey.publicKey else {
                throw SendError(
                    code: .invalidOptions,
                    message: "the signing key of node '\(node)' is not the one its public_key in the cluster map names "
                        + "(the key's public key is \(signingKey.publicKey))")
            }
        }
        self.node = node
        self.mapVersion = map.version
        self.signingKey = signingKey
        self.nonces = nonces ?? .shared(for: node)
    }

    /// The request headers of one request: the map version, and when signing a fresh nonce and its signature.
    /// - Parameters:
    ///   - trname: The endpoint name.
    ///   - sessionID: The stream's session id.
    /// - Returns: Header lines, each ending in CRLF.
    func headers(trname: String, sessionID: Int64) -> String {
        var lines = "\(CallerSignature.mapVersionHeader): \(mapVersion)\r\n"
        guard let signingKey else { return lines }
        let nonce = nonces.next()
        let message = CallerSignature.message(
            trname: trname, senderID: node, sessionID: sessionID, mapVersion: mapVersion, nonce: nonce)
        lines += "\(CallerSignature.nonceHeader): \(nonce)\r\n"
        lines += "\(CallerSignature.signatureHeader): \(Base64URL.encode(signingKey.sign(message)))\r\n"
        return lines
    }
}
