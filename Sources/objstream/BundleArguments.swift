/// What `objstream send --cluster` adds to `send`'s command line to send to members of the map:
/// the endpoint and the destinations (the map and the local node come from ``SigningArguments``).
struct BundleArguments {
    /// `--cluster`: the cluster map file (parsed by ``SigningArguments``).
    var clusterPath: String?
    /// `--node`: the sending node's id in the map (parsed by ``SigningArguments``).
    var node: String?
    /// `--trname`: the endpoint name on every destination.
    var endpointName: String?
    /// `--broadcast`: every member but the local node.
    var broadcast = false
    /// `--to`: the listed node ids.
    var nodes: [String]?

    /// Takes one of the bundle's options.
    /// - Parameters:
    ///   - option: The option just taken.
    ///   - cursor: Where its value comes from.
    /// - Returns: Whether it was one of them.
    /// - Throws: `UsageError` for a missing or invalid value.
    mutating func take(_ option: String, _ cursor: inout ArgumentCursor) throws(UsageError) -> Bool {
        switch option {
        case "--trname":
            endpointName = try cursor.value(for: option, parsedBy: { $0.isEmpty || $0.contains("/") ? nil : $0 }) {
                "--trname '\($0)' must be an endpoint name: not empty, no '/'"
            }
        case "--broadcast": broadcast = true
        case "--to":
            nodes = try cursor.value(for: option, parsedBy: Self.nodeList) {
                "--to '\($0)' is not a list of node ids (like node-b,node-c)"
            }
        default: return false
        }
        return true
    }

    /// Whether any of the bundle's own options was given.
    var isUsed: Bool { endpointName != nil || broadcast || nodes != nil }

    /// Checks that the options go together: `--cluster` with `--node`, `--trname` and one of
    /// `--broadcast` and `--to`, and none of them without `--cluster`.
    /// - Throws: `UsageError` naming what is missing or extra.
    func check() throws(UsageError) {
        guard clusterPath != nil else {
            throw UsageError(.invalidCombination, "--node, --trname, --broadcast and --to need --cluster FILE")
        }
        if node == nil { throw UsageError(.invalidCombination, "--cluster needs --node ID (the sending node)") }
        if endpointName == nil { throw UsageError(.invalidCombination, "--cluster needs --trname NAME (the endpoint)") }
        if broadcast == (nodes != nil) {
            throw UsageError(.invalidCombination, "--cluster needs either --broadcast or --to ID,ID (not both)")
        }
    }

    /// Node ids separated by commas, none empty.
    private static func nodeList(_ text: String) -> [String]? {
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return ids.contains(where: \.isEmpty) ? nil : ids
    }
}
