import ObjStreamMetrics

/// The connection metrics of one listener: connections open now, and connections and
/// requests that a limit refused or cut, by reason.
struct ConnectionMetrics: Sendable {
    /// `<prefix>_open`.
    let open: Gauge
    private let rejected: [LimitReason: Counter]

    /// Registers (or finds) the families.
    /// - Parameters:
    ///   - registry: Where they live.
    ///   - prefix: `objstream_connections` for the stream listener, `objstream_admin_connections`
    ///     for the admin listener.
    ///   - listener: The listener's name, for the help texts.
    ///   - reasons: The limits the listener has; each series exists from the start, at 0.
    init(registry: MetricsRegistry, prefix: String, listener: String, reasons: [LimitReason]) {
        open = registry.gauge("\(prefix)_open", help: "Connections open now on the \(listener) listener.").labels()
        let family = registry.counter(
            "\(prefix)_rejected_total",
            help: "Connections and requests of the \(listener) listener that a limit refused or cut, by limit.",
            labels: ["reason"])
        rejected = Dictionary(uniqueKeysWithValues: reasons.map { ($0, family.labels($0.rawValue)) })
    }

    /// Counts one refusal or cut.
    /// - Parameter reason: The limit that struck.
    func reject(_ reason: LimitReason) { rejected[reason]?.increment() }
}
