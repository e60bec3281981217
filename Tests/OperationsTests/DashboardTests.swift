import Foundation
import ObjStreamTestSupport
import Testing

/// `dashboards/objstream.json` loads through Grafana provisioning as is and queries only objstream metrics.
@Suite struct DashboardTests {
    @Test func dashboardHasFixedUIDNullIDAndSchemaVersion() throws {
        let dashboard = try PromQLExpressions.dashboard()
        #expect(dashboard["uid"] as? String == "objstream-overview")
        #expect(dashboard["id"] is NSNull)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        #expect(dashboard["__inputs"] == nil, "provisioning cannot fill ${DS_...} inputs")
        let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("dashboards/objstream.json"), encoding: .utf8)
        #expect(!text.contains("${DS_"))
    }

    @Test func templatingOffersDatasourceJobAndInstance() throws {
        let variables = (YAMLDocuments.value(try PromQLExpressions.dashboard(), ["templating", "list"]) as? [[String: Any]]) ?? []
        #expect(variables.map { $0["name"] as? String ?? "" } == ["datasource", "job", "instance"])
        #expect(variables.first?["type"] as? String == "datasource")
        #expect(variables.first?["query"] as? String == "prometheus")
        for variable in variables.dropFirst() {
            #expect(variable["type"] as? String == "query")
            #expect(YAMLDocuments.value(variable, ["datasource", "uid"]) as? String == "${datasource}")
            let query = YAMLDocuments.value(variable, ["query", "query"]) as? String ?? ""
            #expect(query.hasPrefix("label_values(objstream_build_info"), "\(query)")
        }
    }

    @Test func everyPanelIsATimeseriesOrHeatmapWithAUnitAndTheDatasourceVariable() throws {
        let panels = (try PromQLExpressions.dashboard()["panels"] as? [[String: Any]]) ?? []
        #expect(panels.count >= 12)
        var ids = Set<Int>()
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(["timeseries", "heatmap"].contains(panel["type"] as? String ?? ""), "\(title)")
            #expect(!(YAMLDocuments.value(panel, ["fieldConfig", "defaults", "unit"]) as? String ?? "").isEmpty, "\(title)")
            #expect(YAMLDocuments.value(panel, ["datasource", "uid"]) as? String == "${datasource}", "\(title)")
            #expect(ids.insert(panel["id"] as? Int ?? -1).inserted, "\(title): duplicate id")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title)")
            for target in targets {
                #expect(YAMLDocuments.value(target, ["datasource", "uid"]) as? String == "${datasource}", "\(title)")
                let expr = target["expr"] as? String ?? ""
                #expect(expr.contains(#"job=~"$job""#) && expr.contains(#"instance=~"$instance""#), "\(title): \(expr)")
            }
        }
    }

    @Test func panelQueriesUseOnlyMetricsThatARealGatewayOrSenderRegisters() throws {
        let expressions = try PromQLExpressions.dashboardExpressions()
        let known = try MetricCatalog.seriesNames()
        var used = Set<String>()
        for expression in expressions {
            let names = PromQLExpressions.metricNames(expression.text)
            #expect(!names.isEmpty, "\(expression.origin)")
            #expect(names.allSatisfy { $0.hasPrefix("objstream_") || $0.hasPrefix("process_") }, "\(expression.origin): \(names)")
            #expect(names.isSubset(of: known), "\(expression.origin): \(names.subtracting(known))")
            used.formUnion(names)
        }
        for required in [
            "objstream_rx_bytes_total", "objstream_rx_objects_total", "objstream_tx_bytes_total", "objstream_tx_objects_total",
            "objstream_rx_sessions_active", "objstream_tx_streams_open", "objstream_rx_broken_streams_total",
            "objstream_tx_terminations_total", "objstream_tx_queue_full_total", "objstream_collector_ticks_total",
            "objstream_rx_object_size_bytes_bucket", "objstream_connections_open", "objstream_connections_rejected_total",
            "objstream_lz4_memory_reserved_bytes", "objstream_auth_rejected_total", "objstream_auth_accepted_total",
            "objstream_cluster_map_version", "objstream_cluster_map_reloads_total", "objstream_tx_node_objects_total",
            "objstream_tx_node_bytes_total", "objstream_tx_node_errors_total", "objstream_tx_node_streams_open",
        ] {
            #expect(used.contains(required), "no panel queries \(required)")
        }
    }

    @Test func trafficPanelsUseRateUnits() throws {
        let panels = (try PromQLExpressions.dashboard()["panels"] as? [[String: Any]]) ?? []
        let units = Dictionary(panels.map { ($0["title"] as? String ?? "", YAMLDocuments.value($0, ["fieldConfig", "defaults", "unit"]) as? String ?? "") }) { a, _ in a }
        #expect(units["Receive bytes/s"] == "Bps")
        #expect(units["Send bytes/s"] == "Bps")
        #expect(units["Receive objects/s"] == "ops")
        #expect(units["Send objects/s"] == "ops")
        #expect(units["Active sessions and open streams"] == "short")
        #expect(units["Per-peer send objects/s"] == "ops")
        #expect(units["Per-peer send bytes/s"] == "Bps")
        #expect(units["Per-peer open streams"] == "short")
    }

    @Test func metricNameExtractionSkipsFunctionsLabelsAndDurations() {
        let names = PromQLExpressions.metricNames(
            #"histogram_quantile(0.9, sum by (le, job) (rate(objstream_rx_object_size_bytes_bucket{job=~"a|b", le!="x"}[5m]))) / on(instance) group_left up > bool 0"#)
        #expect(names == ["objstream_rx_object_size_bytes_bucket", "up"])
    }
}
