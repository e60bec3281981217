import ObjStreamMetrics

/// The per-destination series of a bundle (`objstream_tx_node_*`, label `node`), resolved
/// once per destination.
struct BundleMetrics: Sendable {
    /// Copies completed without error (delivered, with confirmed delivery).
    let objects: Counter
    /// Data bytes of those copies.
    let bytes: Counter
    /// Copies completed with an error.
    let errors: Counter
    /// Streams to the node not yet terminated.
    let streamsOpen: Gauge

    /// Registers (or finds) the families and the node's series.
    /// - Parameters:
    ///   - registry: Where the metrics live.
    ///   - node: The destination's node id.
    init(registry: MetricsRegistry, node: String) {
        objects = registry.counter(
            "objstream_tx_node_objects_total",
            help: "Object copies a bundle sent to a node (delivered, with confirmed delivery).", labels: ["node"]
        ).labels(node)
        bytes = registry.counter(
            "objstream_tx_node_bytes_total", help: "Data bytes of the object copies a bundle sent to a node.",
            labels: ["node"]
        ).labels(node)
        errors = registry.counter(
            "objstream_tx_node_errors_total", help: "Object copies to a node that completed with an error.",
            labels: ["node"]
        ).labels(node)
        streamsOpen = registry.gauge(
            "objstream_tx_node_streams_open", help: "A bundle's streams to a node not yet terminated.",
            labels: ["node"]
        ).labels(node)
    }
}
