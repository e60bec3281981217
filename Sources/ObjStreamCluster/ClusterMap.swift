/// The members of the cluster, at one version (`config/cluster.json`): who may stream to
/// a node, whose signatures it checks, and where a bundle's streams go.
public struct ClusterMap: Sendable, Hashable {
    /// The map's version (`version`), sent as `Ais-Caller-Smap-Ver`; a newer map has a higher one.
    public var version: Int64
    /// The members, in file order, ids unique.
    public private(set) var nodes: [ClusterNode]
    private var indexByID: [String: Int]

    /// Creates a map.
    /// - Parameters:
    ///   - version: The map's version.
    ///   - nodes: The members; a later node with an id already seen is dropped (the loader
    ///     reports duplicates as errors before it gets here).
    public init(version: Int64, nodes: [ClusterNode]) {
        self.version = version
        self.nodes = []
        self.indexByID = [:]
        for node in nodes where indexByID[node.id] == nil {
            indexByID[node.id] = self.nodes.count
            self.nodes.append(node)
        }
    }

    /// The member with an id.
    /// - Parameter id: A node id.
    /// - Returns: The node, or nil when it is not a member.
    public func node(_ id: String) -> ClusterNode? {
        indexByID[id].map { nodes[$0] }
    }

    /// Every member but one: the peers a node streams to.
    /// - Parameter id: The node itself.
    /// - Returns: The other members, in map order.
    public func peers(of id: String) -> [ClusterNode] {
        nodes.filter { $0.id != id }
    }

    public static func == (a: ClusterMap, b: ClusterMap) -> Bool {
        a.version == b.version && a.nodes == b.nodes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
        hasher.combine(nodes)
    }
}
