import ObjStreamCluster
import ObjStreamConfig
import ObjStreamGateway

/// What `serve` knows of its cluster: `--cluster FILE --node ID`, `--signing` and
/// `--replay-state FILE`; the map loaded at start and reloaded on SIGHUP.
struct ServeCluster {
    /// `--cluster`.
    var mapPath: String?
    /// `--node`.
    var node: String?
    /// `--signing`, replacing the configuration's `signing`.
    var signing: SigningMode?
    /// `--replay-state`.
    var replayStatePath: String?

    /// Takes one of the cluster options.
    /// - Parameters:
    ///   - argument: The option.
    ///   - cursor: Where its value comes from.
    /// - Returns: Whether the option was one of them.
    /// - Throws: `UsageError` for a missing or bad value.
    mutating func take(_ argument: String, _ cursor: inout ArgumentCursor) throws(UsageError) -> Bool {
        switch argument {
        case "--cluster": mapPath = try cursor.value(for: argument)
        case "--node": node = try cursor.value(for: argument)
        case "--signing":
            signing = try cursor.value(for: argument, parsedBy: SigningMode.init(rawValue:)) {
                "--signing '\($0)' is not off, permissive or strict"
            }
        case "--replay-state": replayStatePath = try cursor.value(for: argument)
        default: return false
        }
        return true
    }

    /// What is wrong with the options together with the effective signing mode, or nil.
    /// - Parameter mode: The configuration's `signing` after `--signing`.
    /// - Returns: The usage problem.
    func problem(signing mode: SigningMode) -> String? {
        if (mapPath == nil) != (node == nil) { return "--cluster FILE and --node ID go together" }
        if mode != .off && mapPath == nil { return "signing \(mode.rawValue) needs --cluster FILE and --node ID" }
        if replayStatePath != nil && mode == .off { return "--replay-state needs signing permissive or strict" }
        return nil
    }

    /// Loads the map and checks that the node is a member.
    /// - Returns: The map, nil without `--cluster`.
    /// - Throws: ``ConfigError`` naming every problem of the file, or that the node is not in it.
    func load() throws(ConfigError) -> ClusterMap? {
        guard let mapPath, let node else { return nil }
        let map = try ClusterMap.load(contentsOf: mapPath)
        guard map.node(node) != nil else {
            throw ConfigError(
                code: .invalid,
                problems: [
                    ConfigProblem(
                        key: "nodes", value: JSONString.quote(node),
                        message: "no node has the id of --node (version \(map.version))")
                ])
        }
        return map
    }

    /// Reloads the map into the gateway (SIGHUP); a map that does not load, or lacks the node,
    /// leaves the one in use, and is logged and counted.
    /// - Parameters:
    ///   - gateway: The running gateway.
    ///   - log: Where the outcome goes.
    func reload(into gateway: Gateway, log: (String) -> Void) {
        guard let mapPath else {
            log("objstream: SIGHUP: no --cluster map to reload")
            return
        }
        do {
            guard let map = try load() else { return }
            gateway.reloadClusterMap(map)
            log("objstream: cluster map \(mapPath) reloaded: version \(map.version), \(map.nodes.count) nodes")
        } catch {
            gateway.clusterMapReloadFailed()
            let version = gateway.clusterMap.map { String($0.version) } ?? "none"
            log(
                "objstream: SIGHUP: cluster map \(mapPath) not reloaded, version \(version) stays: "
                    + error.problems.map(\.description).joined(separator: "; "))
        }
    }
}
