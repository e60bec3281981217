import Foundation
import ObjStreamTestSupport
import Testing

/// `deploy/prometheus/`: the scrape config and alert rules pass promtool, and the alerts say what they must.
@Suite struct PrometheusFilesTests {
    private let root = TestPaths.packageRoot.path

    /// Runs the real promtool to completion.
    private func promtool(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(try RequiredTool.path("promtool", package: "prometheus"), arguments)
    }

    @Test func promtoolAcceptsTheScrapeConfig() throws {
        let result = try promtool(["check", "config", "\(root)/deploy/prometheus/prometheus.yml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 1 rule files found"))
        #expect(result.stdout.contains("is valid prometheus config file syntax"))
    }

    @Test func promtoolAcceptsTheAlertRules() throws {
        let result = try promtool(["check", "rules", "\(root)/deploy/prometheus/rules/objstream.rules.yml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 5 rules found"))
    }

    @Test func alertRulesFireAsTheirUnitTestsSay() throws {
        let result = try promtool(["test", "rules", "\(root)/deploy/prometheus/tests/objstream.rules.test.yml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS"))
    }

    @Test func everyAlertHasSeveritySummaryAndDescription() throws {
        let document = try #require(try YAMLDocuments.load("deploy/prometheus/rules/objstream.rules.yml").first)
        let rules = (YAMLDocuments.value(document, ["groups", 0, "rules"]) as? [[String: Any]]) ?? []
        #expect(rules.compactMap { $0["alert"] as? String } == [
            "ObjStreamGatewayDown", "ObjStreamBrokenStreams", "ObjStreamSendQueueFull", "ObjStreamSenderTerminatedWithError",
            "ObjStreamPeerCopiesFailing",
        ])
        for rule in rules {
            let severity = YAMLDocuments.value(rule, ["labels", "severity"]) as? String
            #expect(severity == "warning" || severity == "critical", "\(rule["alert"] ?? "")")
            let summary = YAMLDocuments.value(rule, ["annotations", "summary"]) as? String ?? ""
            let description = YAMLDocuments.value(rule, ["annotations", "description"]) as? String ?? ""
            #expect(summary.contains("{{ $labels.instance }}"), "\(rule["alert"] ?? "")")
            #expect(description.count > 60, "\(rule["alert"] ?? "")")
        }
    }

    @Test func ruleExpressionsUseOnlyMetricsThatARealGatewayOrSenderRegistersAndUp() throws {
        let expressions = try PromQLExpressions.ruleExpressions()
        let known = try MetricCatalog.seriesNames()
        #expect(expressions.count == 5)
        for expression in expressions {
            let names = PromQLExpressions.metricNames(expression.text)
            #expect(!names.isEmpty, "\(expression.origin)")
            #expect(names.isSubset(of: known.union(["up"])), "\(expression.origin): \(names)")
        }
    }
}
