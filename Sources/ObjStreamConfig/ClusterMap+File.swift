import Foundation
import ObjStreamCluster
import ObjStreamSend

extension ClusterMap {
    /// Reads and validates a cluster map file (`config/cluster.json`).
    /// - Parameter path: The file's path.
    /// - Returns: The map.
    /// - Throws: ``ConfigError`` listing every problem, each naming the node and the field,
    ///   or `.unreadable` naming the file.
    public static func load(contentsOf path: String) throws(ConfigError) -> ClusterMap {
        try parse(ConfigDocument.bytes(contentsOf: path))
    }

    /// Parses and validates a cluster map:
    /// `{"version": N, "nodes": [{"id": "...", "url": "http://host:port", "public_key": "..."}]}`.
    /// - Parameter json: The JSON text, UTF-8.
    /// - Returns: The map.
    /// - Throws: ``ConfigError`` listing every problem found.
    public static func parse(_ json: [UInt8]) throws(ConfigError) -> ClusterMap {
        let document = try ConfigDocument.object(json)
        var r = ConfigReader()
        var version = -1
        var nodes: [ClusterNode] = []
        if let top = r.object(document, key: "", known: ["version", "nodes"]) {
            if top["version"] == nil {
                r.report("version", NSNull(), "is required: the map's version, an integer >= 0")
            } else {
                r.field(top, "version", in: "", into: &version, "must be an integer >= 0 (a newer map has a higher version)") {
                    ConfigReader.integer($0).flatMap { $0 >= 0 ? $0 : nil }
                }
            }
            if let list = top["nodes"] {
                nodes = readNodes(list, with: &r)
            } else {
                r.report("nodes", NSNull(), "is required: an array of {\"id\", \"url\", \"public_key\"}")
            }
        }
        guard r.problems.isEmpty else { throw ConfigError(code: .invalid, problems: r.problems) }
        return ClusterMap(version: Int64(version), nodes: nodes)
    }

    private static func readNodes(_ value: Any, with r: inout ConfigReader) -> [ClusterNode] {
        guard let list = value as? [Any], !list.isEmpty else {
            r.report("nodes", value, "must be a non-empty array of {\"id\", \"url\", \"public_key\"}")
            return []
        }
        var nodes: [ClusterNode] = []
        var firstWithID: [String: Int] = [:]
        var firstWithURL: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let path = "nodes[\(index)]"
            guard let entry = r.object(item, key: path, known: ["id", "url", "public_key"]) else { continue }
            var id = ""
            r.string(entry, "id", in: path, into: &id, check: idProblem)
            if entry["id"] == nil { r.report(path + ".id", NSNull(), "is required: the node's id") }
            // Later problems of this entry name the node by its id as well as by its index.
            let named = id.isEmpty ? path : "\(path) (node \(JSONString.quote(id)))"
            if !id.isEmpty {
                if let first = firstWithID[id] {
                    r.report(path + ".id", entry["id"]!, "duplicates the id of nodes[\(first)]; ids must be unique")
                } else {
                    firstWithID[id] = index
                }
            }
            var url = ""
            r.string(entry, "url", in: named, into: &url, check: urlProblem)
            if entry["url"] == nil { r.report(named + ".url", NSNull(), "is required: the node's gateway, like \"http://10.0.0.2:9080\"") }
            if !url.isEmpty, let parsed = try? EndpointURL(url) {
                let key = parsed.description
                if let first = firstWithURL[key] {
                    r.report(named + ".url", entry["url"]!, "is the gateway of nodes[\(first)] too; each node has its own")
                } else {
                    firstWithURL[key] = index
                }
            }
            var publicKey: NodePublicKey?
            if let value = entry["public_key"], !(value is NSNull) {
                r.field(entry, "public_key", in: named, into: &publicKey,
                    "must be an Ed25519 public key: 32 bytes in base64 URL-safe without padding (43 characters, what objstream keygen writes to node.pub)"
                ) { value -> NodePublicKey?? in
                    guard let key = (value as? String).flatMap(NodePublicKey.init(base64URL:)) else { return nil }
                    return .some(key)
                }
            }
            if !id.isEmpty && !url.isEmpty { nodes.append(ClusterNode(id: id, url: url, publicKey: publicKey)) }
        }
        return nodes
    }

    /// What is wrong with a node id, or nil: it goes into a request header and into log lines.
    private static func idProblem(_ id: String) -> String? {
        if id.isEmpty { return "must be a non-empty string" }
        if id.utf8.count > 256 { return "must be at most 256 bytes" }
        if id.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            return "must not contain spaces or control characters: it goes into the Ais-Caller-Id header"
        }
        return nil
    }

    /// What is wrong with a node's URL, or nil.
    private static func urlProblem(_ url: String) -> String? {
        let parsed: EndpointURL
        do {
            parsed = try EndpointURL(url)
        } catch {
            return error.message
        }
        if parsed.path != "/v1/objstream" {
            return "must be the gateway's base URL without a path, like \"http://10.0.0.2:9080\""
        }
        return nil
    }
}
