import ObjStreamTestSupport
import Testing

/// What a real gateway and a real sender register: every family is documented and passes promtool.
@Suite struct MetricCatalogTests {
    @Test func everyRegisteredFamilyHasHelpAndPassesPromtool() throws {
        let promtool = try RequiredTool.path("promtool", package: "prometheus")
        let scrapes = try MetricCatalog.scrapes()
        for (origin, text) in [("gateway", scrapes.gateway), ("sender", scrapes.sender), ("bundle sender", scrapes.bundleSender)] {
            let families = MetricCatalog.families(in: text)
            #expect(!families.isEmpty, "\(origin): no # TYPE line")
            for family in families {
                #expect(text.contains("# HELP \(family.name) "), "\(origin): \(family.name) has no HELP")
            }
            let lint = try ChildProcess.run(promtool, ["check", "metrics"], stdin: Array(text.utf8))
            #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(origin): \(lint.stdout)\(lint.stderr)")
        }
    }

    @Test func gatewayAndSenderRegisterTheirFamiliesUnderTheProjectOrStandardPrefixes() throws {
        let scrapes = try MetricCatalog.scrapes()
        let gateway = Set(MetricCatalog.families(in: scrapes.gateway).map(\.name))
        let sender = Set(MetricCatalog.families(in: scrapes.sender).map(\.name))
        for name in gateway.union(sender).union(Set(MetricCatalog.families(in: scrapes.bundleSender).map(\.name))) {
            #expect(name.hasPrefix("objstream_") || name.hasPrefix("process_"), "\(name)")
        }
        for name in ["objstream_rx_bytes_total", "objstream_rx_objects_total", "objstream_rx_broken_streams_total",
                     "objstream_build_info"] {
            #expect(gateway.contains(name), "gateway lacks \(name)")
        }
        for name in ["objstream_tx_bytes_total", "objstream_tx_objects_total", "objstream_tx_terminations_total",
                     "objstream_collector_ticks_total", "objstream_build_info"] {
            #expect(sender.contains(name), "sender lacks \(name)")
        }
        let bundleSender = Set(MetricCatalog.families(in: scrapes.bundleSender).map(\.name))
        for name in ["objstream_tx_node_objects_total", "objstream_tx_node_bytes_total", "objstream_tx_node_errors_total",
                     "objstream_tx_node_streams_open"] {
            #expect(bundleSender.contains(name), "a --cluster sender lacks \(name)")
        }
        #expect(scrapes.bundleSender.contains(#"objstream_tx_node_objects_total{node="peer"} 1"#), "\(scrapes.bundleSender)")
    }
}
