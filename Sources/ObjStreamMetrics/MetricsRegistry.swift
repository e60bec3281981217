import Synchronization

/// The set of metric families a process exposes, rendered as Prometheus text 0.0.4.
///
/// Registration takes the registry's one lock; rendering copies the family list
/// under it and formats outside it, so a scrape never holds up the data path.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[String: any RenderableFamily]>([:])
    private let collectors = Mutex<[@Sendable () -> Void]>([])

    /// The process-wide registry that `/metrics` serves.
    public static let shared = MetricsRegistry()

    /// Creates an empty registry.
    public init() {}

    /// The `Content-Type` of ``render()``'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A counter family; registering a name twice returns the first family.
    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Counter> {
        family(name, help: help, kind: .counter, labels: labels) { Counter() }
    }

    /// A gauge family; registering a name twice returns the first family.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Gauge> {
        family(name, help: help, kind: .gauge, labels: labels) { Gauge() }
    }

    /// A histogram family with fixed bucket bounds.
    public func histogram(
        _ name: String, help: String, bounds: [Double], labels: [String] = []
    ) -> MetricFamily<Histogram> {
        family(name, help: help, kind: .histogram, labels: labels) { Histogram(bounds: bounds) }
    }

    /// Adds a function that refreshes gauges just before every render (process metrics).
    public func onRender(_ update: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(update) }
    }

    /// A family of any metric type the exposition format knows (for ``ProcessMetrics/Sample``).
    func family<M: Sendable & AnyObject>(
        _ name: String, help: String, kind: MetricKind, labels: [String], make: @escaping @Sendable () -> M
    ) -> MetricFamily<M> {
        families.withLock { map in
            if let existing = map[name] {
                guard let typed = existing as? MetricFamily<M>, typed.labelNames == labels else {
                    preconditionFailure("metric \(name) registered twice with different kinds or labels")
                }
                return typed
            }
            let created = MetricFamily(name: name, help: help, kind: kind, labelNames: labels, make: make)
            map[name] = created
            return created
        }
    }

    /// Renders every family in the Prometheus text format 0.0.4, families sorted by name.
    public func render() -> String {
        for update in collectors.withLock({ $0 }) { update() }
        let snapshot = families.withLock { Array($0.values) }.sorted { $0.name < $1.name }
        var out = ""
        out.reserveCapacity(4096)
        for family in snapshot {
            ExpositionFormat.append(family, to: &out)
        }
        return out
    }
}
