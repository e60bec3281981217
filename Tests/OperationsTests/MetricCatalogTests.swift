import ObjStreamMetrics
import ObjStreamTestSupport
import Testing

/// The fixed metric names pass promtool's lint as registered families.
@Suite struct MetricCatalogTests {
    @Test func promtoolAcceptsEveryFixedObjStreamFamily() throws {
        let registry = MetricsRegistry()
        MetricCatalog.registerAll(on: registry)
        ProcessMetrics.register(on: registry)
        let text = registry.render()
        for name in MetricCatalog.names { #expect(text.contains("# TYPE \(name) "), "\(name)") }
        let result = try ChildProcess.run("promtool", ["check", "metrics"], stdin: Array(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }
}
