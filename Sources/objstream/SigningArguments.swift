import ObjStreamCluster
import ObjStreamConfig
import ObjStreamSend

/// `send --cluster FILE --node ID [--signing-key FILE]`: who the sender is in its cluster, and
/// the key that signs its requests (WIRE.md section 7).
struct SigningArguments {
    /// `--cluster`.
    var mapPath: String?
    /// `--node`.
    var node: String?
    /// `--signing-key`.
    var keyPath: String?

    /// The options this type takes.
    static let options: Set<String> = ["--cluster", "--node", "--signing-key"]

    /// Takes one of ``options`` and its value.
    /// - Parameters:
    ///   - argument: The option.
    ///   - cursor: Where its value comes from.
    /// - Throws: `UsageError` `missingValue`.
    mutating func take(_ argument: String, _ cursor: inout ArgumentCursor) throws(UsageError) {
        let value = try cursor.value(for: argument)
        switch argument {
        case "--cluster": mapPath = value
        case "--node": node = value
        default: keyPath = value
        }
    }

    /// Sets the options' sender id and cluster caller from the map, the node and the key.
    /// - Parameters:
    ///   - options: The streams' options; `senderID` becomes the node (a `--sender` given must be it).
    /// - Returns: nil when done, else the line `objstream send` prints (usage problems and files
    ///   that do not load alike: exit 2).
    func apply(to options: inout StreamOptions) -> String? {
        guard mapPath != nil || node != nil || keyPath != nil else { return nil }
        guard let mapPath, let node else { return "--cluster FILE and --node ID go together (and --signing-key needs both)" }
        if !options.senderID.isEmpty && options.senderID != node {
            return "--sender '\(options.senderID)' is not --node '\(node)'"
        }
        let map: ClusterMap
        do {
            map = try ClusterMap.load(contentsOf: mapPath)
        } catch {
            return "\(mapPath):\n\(error.description)"
        }
        var key: NodeSigningKey?
        if let keyPath {
            do {
                key = try NodeSigningKey.load(contentsOf: keyPath)
            } catch {
                return "--signing-key \(error.message)"
            }
        }
        do {
            options.cluster = try ClusterCaller(map: map, node: node, signingKey: key)
        } catch {
            return "--cluster \(mapPath): \(error.message)"
        }
        options.senderID = node
        return nil
    }
}
