/// Which objstream this is: the one version `objstream_build_info` and `objstream --version` report.
public enum BuildInfo {
    /// The version of objstream.
    public static let version = "0.1.0"

    /// Registers `objstream_build_info{version=...} 1` on a registry.
    /// - Parameters:
    ///   - registry: The registry (`MetricsRegistry.shared` for `/metrics`).
    ///   - version: The version label (default: ``version``).
    public static func register(on registry: MetricsRegistry, version: String = version) {
        registry.gauge("objstream_build_info", help: "Always 1; the version label says which objstream runs.", labels: ["version"])
            .labels(version).set(1)
    }
}
