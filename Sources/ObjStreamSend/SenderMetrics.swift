import ObjStreamMetrics

/// The send-side metric series (`objstream_tx_*`), resolved once per stream.
struct SenderMetrics: Sendable {
    let objects: Counter
    let bytes: Counter
    let streamsOpen: Gauge
    let requests: Counter
    let retries: Counter
    let queueFull: Counter
    let completionsFailed: Counter
    let delivered: Counter
    let refused: Counter
    let terminations: MetricFamily<Counter>

    /// Registers (or finds) the families on a registry.
    /// - Parameter registry: Where the metrics live.
    init(registry: MetricsRegistry) {
        objects = registry.counter("objstream_tx_objects_total", help: "Data objects sent.").labels()
        bytes = registry.counter("objstream_tx_bytes_total", help: "Data bytes sent (data objects only).").labels()
        streamsOpen = registry.gauge("objstream_tx_streams_open", help: "Send streams not yet terminated.").labels()
        requests = registry.counter("objstream_tx_requests_total", help: "Stream HTTP requests opened.").labels()
        retries = registry.counter("objstream_tx_retries_total", help: "Connection attempts retried.").labels()
        queueFull = registry.counter(
            "objstream_tx_queue_full_total", help: "Sends that found the send queue full and blocked."
        ).labels()
        completionsFailed = registry.counter(
            "objstream_tx_completions_failed_total", help: "Objects completed with an error."
        ).labels()
        delivered = registry.counter(
            "objstream_tx_delivered_objects_total",
            help: "Objects the receiver's answer confirmed (confirmed delivery only)."
        ).labels()
        refused = registry.counter(
            "objstream_tx_refused_objects_total", help: "Objects the receiver's receipt listed as refused."
        ).labels()
        terminations = registry.counter(
            "objstream_tx_terminations_total", help: "Stream terminations by reason.", labels: ["reason"])
    }
}
