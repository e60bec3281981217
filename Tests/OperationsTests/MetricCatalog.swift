import ObjStreamMetrics

/// Every fixed `objstream_` family of the project (receive, send, collector, process) with its kind,
/// so dashboards and alert rules can be checked against the names that exist.
enum MetricCatalog {
    /// Name, kind and label names of each family that services register (process families excluded).
    static let families: [(name: String, kind: MetricKind, labels: [String])] = [
        ("objstream_rx_objects_total", .counter, ["endpoint"]),
        ("objstream_rx_bytes_total", .counter, ["endpoint"]),
        ("objstream_rx_control_objects_total", .counter, ["endpoint"]),
        ("objstream_rx_sessions_active", .gauge, ["endpoint"]),
        ("objstream_rx_sessions_total", .counter, ["endpoint"]),
        ("objstream_rx_broken_streams_total", .counter, ["code"]),
        ("objstream_rx_stored_objects_total", .counter, ["endpoint"]),
        ("objstream_rx_refused_objects_total", .counter, ["endpoint"]),
        ("objstream_rx_object_size_bytes", .histogram, []),
        ("objstream_rx_session_duration_seconds", .histogram, []),
        ("objstream_http_requests_total", .counter, ["route", "status"]),
        ("objstream_tx_objects_total", .counter, []),
        ("objstream_tx_bytes_total", .counter, []),
        ("objstream_tx_streams_open", .gauge, []),
        ("objstream_tx_requests_total", .counter, []),
        ("objstream_tx_retries_total", .counter, []),
        ("objstream_tx_queue_full_total", .counter, []),
        ("objstream_tx_completions_failed_total", .counter, []),
        ("objstream_tx_terminations_total", .counter, ["reason"]),
        ("objstream_collector_ticks_total", .counter, []),
        ("objstream_collector_streams", .gauge, []),
        ("objstream_collector_idle_teardowns_total", .counter, []),
        ("objstream_collector_reaped_total", .counter, []),
    ]

    /// The process families of ``ProcessMetrics``.
    static let processNames = [
        "objstream_build_info", "process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_open_fds", "process_max_fds", "process_start_time_seconds",
    ]

    /// Every family name.
    static var names: [String] { families.map(\.name) + processNames }

    /// Every series name a query may use: family names plus `_bucket`, `_sum`, `_count` of histograms.
    static var seriesNames: Set<String> {
        var out = Set(names)
        for family in families where family.kind == .histogram {
            for suffix in ["_bucket", "_sum", "_count"] { out.insert(family.name + suffix) }
        }
        return out
    }

    /// Registers every family on `registry` with one or two series holding sample values.
    static func registerAll(on registry: MetricsRegistry) {
        for (index, family) in families.enumerated() {
            let help = "Catalog sample of \(family.name)."
            let values = family.labels.map { "\($0)-\(index)" }
            switch family.kind {
            case .counter: registry.counter(family.name, help: help, labels: family.labels).labels(values).increment(by: UInt64(index + 1))
            case .gauge: registry.gauge(family.name, help: help, labels: family.labels).labels(values).set(Int64(index))
            case .histogram:
                let h = registry.histogram(
                    family.name, help: help, bounds: Histogram.exponentialBounds(start: 1024, factor: 4, count: 11),
                    labels: family.labels)
                h.labels(values).observe(Double(index * 1000))
            }
        }
    }
}
