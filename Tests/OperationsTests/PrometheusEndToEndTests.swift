import Foundation
import ObjStreamTestSupport
import Testing

/// A real Prometheus on loopback scrapes a real `objstream serve` while curl streams objects into it;
/// every dashboard and alert expression is then evaluated through Prometheus' HTTP API.
///
/// `prometheus` and `promtool` (Debian package `prometheus`) are required: without them the test fails.
@Suite(.serialized) struct PrometheusEndToEndTests {
    /// Panels a scraped sender must fill.
    static let senderPanels = ["Send bytes/s", "Send objects/s", "Stream terminations by reason", "Send queue full", "Collector activity"]

    /// Panels that gateway traffic alone must fill.
    static let gatewayPanels = [
        "Receive bytes/s", "Receive objects/s", "Active sessions and open streams", "Sessions started and HTTP requests/s",
        "Broken streams by code", "Stored and refused objects/s", "Object size distribution", "Object sizes (heatmap)",
        "Session duration", "CPU", "Resident memory", "Open file descriptors", "Connections open and refused by limit",
        "lz4 decompressor memory",
    ]

    /// Runs one instant query; returns the `data.result` array, or the error Prometheus gave.
    private func query(_ port: UInt16, _ expr: String) throws -> (ok: Bool, result: [[String: Any]], error: String) {
        let out = try Curl.run(["-G", "--data-urlencode", "query=\(expr)", "http://127.0.0.1:\(port)/api/v1/query"])
        guard let json = try? JSONSerialization.jsonObject(with: Data(out.body.utf8)) as? [String: Any] else {
            return (false, [], "no JSON answer: \(out.body)\(out.stderr)")
        }
        let result = YAMLDocuments.value(json, ["data", "result"]) as? [[String: Any]] ?? []
        return (json["status"] as? String == "success", result, json["error"] as? String ?? "")
    }

    /// The scalar value of a one-series result.
    private func number(_ port: UInt16, _ expr: String) throws -> Double? {
        let answer = try query(port, expr)
        guard let value = answer.result.first?["value"] as? [Any], let text = value.last as? String else { return nil }
        return Double(text)
    }

    /// Streams one object with `objstream frame | curl` (a real shell pipeline) and returns the HTTP status.
    /// - Parameter truncate: Bytes cut off the end of the frame, to break the stream.
    private func put(_ gateway: UInt16, endpoint: String, object: String, data: String, truncate: Int = 0) throws -> String {
        let cut = truncate > 0 ? " | head -c -\(truncate)" : ""
        let pipeline = "'\(TestPaths.objstreamBinary.path)' frame --bucket ais://e2e --object '\(object)' --data '\(data)'\(cut)"
            + " | curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary @- http://127.0.0.1:\(gateway)/v1/objstream/\(endpoint)"
        let result = try ChildProcess.run("/bin/sh", ["-c", pipeline])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdout
    }

    @Test func prometheusEvaluatesEveryDashboardAndAlertExpressionAgainstALiveGateway() throws {
        let started = ContinuousClock.now
        let folder = try TestPaths.temporaryDirectory("objstream-prometheus")
        let gateway = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["serve", "--listen", "127.0.0.1:0", "--store", folder.appendingPathComponent("store").path])
        defer { gateway.stop() }
        let gatewayPort = try gateway.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let prometheusBinary = try RequiredTool.path("prometheus", package: "prometheus")
        let promtool = try RequiredTool.path("promtool", package: "prometheus")

        // The sender's metrics port is known only once it runs: Prometheus finds it in a target file.
        let senderTargets = folder.appendingPathComponent("sender-targets.json")
        try Data("[]".utf8).write(to: senderTargets)
        let rules = TestPaths.packageRoot.appendingPathComponent("deploy/prometheus/rules/objstream.rules.yml").path
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files: ["\(rules)"]
            scrape_configs:
              - job_name: objstream
                static_configs:
                  - targets: ["127.0.0.1:\(gatewayPort)"]
                file_sd_configs:
                  - files: ["\(senderTargets.path)"]
                    refresh_interval: 1s
            """
        let configPath = folder.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            prometheusBinary,
            ["--config.file=\(configPath)", "--storage.tsdb.path=\(folder.appendingPathComponent("tsdb").path)",
             "--web.listen-address=127.0.0.1:0", "--log.level=info"])
        defer { prometheus.stop() }
        let prometheusPort = try prometheus.reportedPort(after: #"msg="Listening on" address=127.0.0.1:"#)
        #expect(
            try eventually { try number(prometheusPort, #"up{instance="127.0.0.1:\#(gatewayPort)"}"#) == 1 },
            "\(prometheus.text)")

        // Two waves of objects, each seen by Prometheus, so that rates over the window are above zero.
        let payload = folder.appendingPathComponent("payload").path
        let size = 100 * 1024
        try Data(PayloadPattern.bytes(for: "e2e", size: size)).write(to: URL(fileURLWithPath: payload))
        for wave in 1...2 {
            for i in 0..<5 {
                #expect(try put(gatewayPort, endpoint: "default", object: "w\(wave)/o\(i)", data: payload) == "200")
            }
            #expect(try put(gatewayPort, endpoint: "store", object: "w\(wave)/stored", data: payload) == "200")
            #expect(try put(gatewayPort, endpoint: "default", object: "w\(wave)/broken", data: payload, truncate: 1000) == "400")
            let send = try ChildProcess.run(
                TestPaths.objstreamBinary.path,
                ["send", "http://127.0.0.1:\(gatewayPort)/v1/objstream/default", "--synthetic", "50", "--size", "16KiB"])
            #expect(send.status == 0, "\(send.stdout)\(send.stderr)")
            // What the gateway itself reports now (a broken object's received bytes count too).
            let scrape = try Curl.scrape(gatewayPort)
            let expected = scrape.split(separator: "\n").filter { $0.hasPrefix("objstream_rx_bytes_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            #expect(expected >= Double(wave * (6 * size + 50 * 16 * 1024)))
            #expect(
                try eventually { try number(prometheusPort, "sum(objstream_rx_bytes_total)") == expected },
                "Prometheus never saw \(expected) bytes")
        }

        // After real traffic with broken streams, the gateway's scrape passes promtool's lint.
        let scrape = try Curl.scrape(gatewayPort)
        #expect(scrape.contains(#"objstream_rx_broken_streams_total{code="sbr_obj_data_eof"} 2"#))
        let lint = try ChildProcess.run(promtool, ["check", "metrics"], stdin: Array(scrape.utf8))
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")

        // A long synthetic send exposing its metrics, scraped while it runs, then stopped with SIGTERM;
        // it lingers so that Prometheus scrapes the stopped termination, until the second SIGTERM.
        let sender = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["send", "http://127.0.0.1:\(gatewayPort)/v1/objstream/default", "--synthetic", "100000000", "--size", "4KiB",
             "--metrics-listen", "127.0.0.1:0", "--linger", "5m"])
        defer { sender.stop() }
        let senderMetricsPort = try sender.reportedPort(after: "objstream send: metrics on 127.0.0.1:")
        try Data(#"[{"targets": ["127.0.0.1:\#(senderMetricsPort)"]}]"#.utf8).write(to: senderTargets)
        var first: Double?
        #expect(
            try eventually {
                guard let now = try number(prometheusPort, "sum(objstream_tx_bytes_total)"), now > 0 else { return false }
                if let first { return now > first }
                first = now
                return false
            }, "Prometheus never saw the sender's bytes grow: \(sender.text)")
        sender.signal(SIGTERM)
        #expect(sender.line(containing: "sent ") != nil, "\(sender.text)")
        #expect(
            try eventually {
                try number(prometheusPort, #"count_over_time(objstream_tx_terminations_total{reason="stopped"}[1h])"#) ?? 0 >= 2
            }, "Prometheus never scraped the stopped termination twice: \(sender.text)")
        // The stopped sender's scrape passes promtool's lint too.
        let senderScrape = try Curl.scrape(senderMetricsPort)
        #expect(senderScrape.contains(#"objstream_tx_terminations_total{reason="stopped"} 1"#), "\(senderScrape)")
        let senderLint = try ChildProcess.run(promtool, ["check", "metrics"], stdin: Array(senderScrape.utf8))
        #expect(
            senderLint.status == 0 && senderLint.stdout.isEmpty && senderLint.stderr.isEmpty,
            "\(senderLint.stdout)\(senderLint.stderr)")

        var expressions = try PromQLExpressions.dashboardExpressions()
        expressions += try PromQLExpressions.ruleExpressions()
        #expect(expressions.count >= 30)
        var filled = Set<String>()
        for expression in expressions {
            let concrete = PromQLExpressions.concrete(expression.text, rateInterval: "1m")
            let answer = try query(prometheusPort, concrete)
            #expect(answer.ok, "\(expression.origin): \(concrete): \(answer.error)")
            if !answer.result.isEmpty { filled.insert(expression.origin) }
        }
        for title in Self.senderPanels {
            #expect(filled.contains("dashboard: \(title)"), "panel \(title) returned no data")
        }
        for title in Self.gatewayPanels {
            #expect(filled.contains("dashboard: \(title)"), "panel \(title) returned no data")
        }
        // The window reaches back to the test's start, however long the steps above took, so the
        // verdict is about the traffic, not about how recently it flowed.
        let window = Int((ContinuousClock.now - started).components.seconds) + 60
        let received = try #require(try number(prometheusPort, #"sum(increase(objstream_rx_bytes_total{job=~".*"}[\#(window)s]))"#))
        #expect(received > 0)
        // The two truncated streams, and maybe the stream of the stopped sender: cut off at any
        // byte, or (confirmed delivery ends requests at frame boundaries) between two requests.
        #expect(try number(prometheusPort, #"sum(objstream_rx_broken_streams_total{code="sbr_obj_data_eof"})"#) ?? 0 >= 2)
        #expect(try eventually { (2...3).contains(try number(prometheusPort, #"sum(objstream_rx_broken_streams_total)"#) ?? 0) })
        #expect(try number(prometheusPort, #"sum(objstream_rx_stored_objects_total)"#) == 2)

        // The server loaded every alert rule of the file and evaluates them without error.
        let ruleFile = try #require(try YAMLDocuments.load("deploy/prometheus/rules/objstream.rules.yml").first)
        let ruleCount = (YAMLDocuments.value(ruleFile, ["groups", 0, "rules"]) as? [Any])?.count ?? 0
        #expect(ruleCount >= 4)
        #expect(try eventually {
            let out = try Curl.run(["http://127.0.0.1:\(prometheusPort)/api/v1/rules"])
            let json = try JSONSerialization.jsonObject(with: Data(out.body.utf8)) as? [String: Any] ?? [:]
            let rules = (YAMLDocuments.value(json, ["data", "groups", 0, "rules"]) as? [[String: Any]]) ?? []
            return rules.count == ruleCount && rules.allSatisfy { $0["health"] as? String == "ok" }
        })
        // The second SIGTERM ends the sender's linger; a stopped send exits 1.
        #expect(sender.stop() == 1, "\(sender.text)")
        #expect(gateway.stop() == 0, "\(gateway.text)")
    }
}
