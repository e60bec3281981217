import Synchronization

/// The kind of a metric family, as the exposition format names it.
public enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// One named metric with a fixed set of label names and one series per label values.
///
/// Series are created on first use of their label values and removed with
/// ``remove(_:)`` (an endpoint that is unregistered takes its series with it).
public final class MetricFamily<Metric: Sendable & AnyObject>: Sendable, RenderableFamily {
    /// The full metric name (`objstream_...`).
    public let name: String
    /// The help text.
    public let help: String
    /// The kind of the metric.
    public let kind: MetricKind
    /// The label names, in order.
    public let labelNames: [String]
    private let make: @Sendable () -> Metric
    private let series: Mutex<[[String]: Metric]>

    init(name: String, help: String, kind: MetricKind, labelNames: [String], make: @escaping @Sendable () -> Metric) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.make = make
        self.series = Mutex([:])
    }

    /// The series for these label values, created at zero on first use.
    /// - Parameter values: One value per label name, in order.
    /// - Returns: The metric; keep it to update it without a lookup.
    public func labels(_ values: String...) -> Metric {
        labels(values)
    }

    /// The series for these label values, created at zero on first use.
    public func labels(_ values: [String]) -> Metric {
        precondition(values.count == labelNames.count, "\(name) takes \(labelNames.count) label values")
        return series.withLock { map in
            if let existing = map[values] { return existing }
            let created = make()
            map[values] = created
            return created
        }
    }

    /// Removes the series for these label values.
    public func remove(_ values: String...) {
        _ = series.withLock { $0.removeValue(forKey: values) }
    }

    func snapshotSeries() -> [(labels: [String], metric: any Sendable)] {
        series.withLock { map in map.map { ($0.key, $0.value as any Sendable) } }
            .sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }
}

/// What the registry needs of a family to render it.
protocol RenderableFamily: Sendable {
    var name: String { get }
    var help: String { get }
    var kind: MetricKind { get }
    var labelNames: [String] { get }
    func snapshotSeries() -> [(labels: [String], metric: any Sendable)]
}
