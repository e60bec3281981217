import Foundation
import ObjStreamTestSupport

/// The PromQL expressions the project ships: every dashboard target and every alert rule.
enum PromQLExpressions {
    /// One expression and where it came from.
    struct Expression {
        /// `dashboard: <panel title>` or `rule: <alert name>`.
        var origin: String
        /// The PromQL text, with Grafana variables still in it.
        var text: String
    }

    /// The dashboard as parsed JSON.
    static func dashboard() throws -> [String: Any] {
        let url = TestPaths.packageRoot.appendingPathComponent("dashboards/objstream.json")
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw YAMLDocuments.Failure(message: "dashboards/objstream.json is not a JSON object")
        }
        return object
    }

    /// Every target expression of every dashboard panel.
    static func dashboardExpressions() throws -> [Expression] {
        let panels = try dashboard()["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { Expression(origin: "dashboard: \(panel["title"] ?? "?")", text: $0) }
            }
        }
    }

    /// Every alert and recording rule expression of `deploy/prometheus/rules/*.yml`.
    static func ruleExpressions() throws -> [Expression] {
        let folder = TestPaths.packageRoot.appendingPathComponent("deploy/prometheus/rules")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") }.sorted()
        var out: [Expression] = []
        for file in files {
            for document in try YAMLDocuments.load("deploy/prometheus/rules/\(file)") {
                for group in YAMLDocuments.value(document, ["groups"]) as? [Any] ?? [] {
                    for rule in YAMLDocuments.value(group, ["rules"]) as? [[String: Any]] ?? [] {
                        let name = rule["alert"] ?? rule["record"] ?? "?"
                        if let expr = rule["expr"] as? String { out.append(Expression(origin: "rule: \(name)", text: expr)) }
                    }
                }
            }
        }
        return out
    }

    /// The expression with Grafana's variables replaced by concrete values Prometheus accepts.
    /// - Parameters:
    ///   - text: The expression.
    ///   - rateInterval: What `$__rate_interval` and `$__interval` become (like `10s`).
    /// - Returns: Plain PromQL.
    static func concrete(_ text: String, rateInterval: String) -> String {
        text.replacingOccurrences(of: "$__rate_interval", with: rateInterval)
            .replacingOccurrences(of: "$__interval", with: rateInterval)
            .replacingOccurrences(of: "$__range", with: "5m")
            .replacingOccurrences(of: "$job", with: ".*")
            .replacingOccurrences(of: "$instance", with: ".*")
    }

    /// The metric names an expression selects: identifiers that are not functions, keywords,
    /// grouping labels, label matchers, string literals or durations.
    static func metricNames(_ text: String) -> Set<String> {
        var stripped = text
        for pattern in [#""(?:[^"\\]|\\.)*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#, #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#] {
            stripped = stripped.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let keywords: Set<String> = ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"]
        let regex = try! NSRegularExpression(pattern: #"[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?"#)
        var names = Set<String>()
        let range = NSRange(stripped.startIndex..., in: stripped)
        for match in regex.matches(in: stripped, range: range) {
            guard match.range(at: 1).location == NSNotFound, let r = Range(match.range, in: stripped) else { continue }
            let word = String(stripped[r])
            if !keywords.contains(word.lowercased()) { names.insert(word) }
        }
        return names
    }
}
