import Foundation
import ObjStreamTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `objstream send --metrics-listen ADDR:PORT --linger DURATION` against a real `objstream serve`,
/// scraped with real curl and linted with real promtool.
@Suite(.serialized) struct SendMetricsListenTests {
    /// A running `objstream serve` on a loopback port of its own choosing.
    private func startGateway() throws -> (process: ChildProcess, port: UInt16) {
        let gateway = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--listen", "127.0.0.1:0"])
        return (gateway, try gateway.reportedPort(after: "objstream: listening on 127.0.0.1:"))
    }

    /// `objstream send` of synthetic 4 KiB objects with its metrics on a port of its own choosing.
    private func startSender(to port: UInt16, objects: Int, linger: String) throws -> ChildProcess {
        try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["send", "http://127.0.0.1:\(port)/v1/objstream/default", "--synthetic", "\(objects)", "--size", "4KiB",
             "--metrics-listen", "127.0.0.1:0", "--linger", linger])
    }

    /// The sender's `metrics on HOST:PORT` port.
    private func metricsPort(_ sender: ChildProcess) throws -> UInt16 {
        try sender.reportedPort(after: "objstream send: metrics on 127.0.0.1:")
    }

    /// `GET` with curl: the status and the body.
    private func scrape(_ port: UInt16, path: String = "/metrics") throws -> (status: String, body: String) {
        let result = try Curl.run(["http://127.0.0.1:\(port)\(path)"])
        return ("\(result.status)", result.body)
    }

    /// The value of the one sample `series` (name with its labels, exactly as exposed) in a scrape.
    private func value(_ series: String, in scrape: String) -> Double? { ExpositionText.value(of: series, in: scrape) }

    @Test func lingeringSenderExposesTxBytesEqualToTheBytesItSentAndTheGatewayReceived() throws {
        let (gateway, gatewayPort) = try startGateway()
        defer { gateway.stop() }
        let count = 300
        let size = 4096
        let sender = try startSender(to: gatewayPort, objects: count, linger: "2s")
        defer { sender.stop() }
        let port = try metricsPort(sender)
        #expect(port != 0)
        let summary = try #require(sender.line(containing: "sent \(count) objects"), "\(sender.text)")
        #expect(summary.hasPrefix("sent \(count) objects, \(count * size) bytes in "), "\(summary)")
        #expect(summary.hasSuffix(", 0 failed"), "\(summary)")

        // The send has finished; the endpoint lingers with the final values.
        let metrics = try scrape(port)
        #expect(metrics.status == "200")
        #expect(value("objstream_tx_bytes_total", in: metrics.body) == Double(count * size), "\(metrics.body)")
        #expect(value("objstream_tx_objects_total", in: metrics.body) == Double(count))
        #expect(value("objstream_tx_completions_failed_total", in: metrics.body) == 0)
        #expect(value(#"objstream_tx_terminations_total{reason="end-of-stream"}"#, in: metrics.body) == 1)
        #expect(value("objstream_tx_streams_open", in: metrics.body) == 0)
        // Confirmed delivery ends a request whenever the queue runs dry: one or more.
        #expect((value("objstream_tx_requests_total", in: metrics.body) ?? 0) >= 1)
        #expect(value(#"objstream_build_info{version="0.1.0"}"#, in: metrics.body) == 1)
        #expect((value("process_resident_memory_bytes", in: metrics.body) ?? 0) > 0)
        #expect(try scrape(port, path: "/healthz").status == "200")
        let promtool = try RequiredTool.path("promtool", package: "prometheus")
        let lint = try ChildProcess.run(promtool, ["check", "metrics"], stdin: Array(metrics.body.utf8))
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")

        // What the sender counted is what the gateway received.
        let received = try scrape(gatewayPort)
        #expect(value(#"objstream_rx_bytes_total{endpoint="default"}"#, in: received.body) == Double(count * size))

        // The linger ends on its own: exit 0, the endpoint is gone.
        let status = sender.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(sender.text)")
        let gone = try Curl.run(["-o", "/dev/null", "http://127.0.0.1:\(port)/metrics"])
        #expect(gone.exitStatus == 7, "curl should fail to connect: \(gone.stderr)")
    }

    @Test func sigtermStopsTheStreamsAndTheStoppedTerminationStaysScrapableUntilASecondSignal()
        throws
    {
        // A receiver that takes the connection and never reads: once the socket buffers are
        // full the sender is blocked mid-stream with objects queued, however fast it is.
        let receiver = try LoopbackSocket(.holding)
        defer { receiver.close() }
        let sender = try startSender(to: receiver.port, objects: 100_000_000, linger: "60s")
        defer { sender.stop() }
        let port = try metricsPort(sender)
        #expect(try eventually { (value("objstream_tx_bytes_total", in: try scrape(port).body) ?? 0) > 0 })

        sender.signal(SIGTERM)
        #expect(sender.line(containing: "signal 15: stopping the streams") != nil, "\(sender.text)")
        let summary = try #require(sender.line(containing: "sent "), "\(sender.text)")
        #expect(!summary.hasSuffix(" 0 failed"), "objects queued at the stop fail: \(summary)")
        let metrics = try scrape(port)
        #expect(value(#"objstream_tx_terminations_total{reason="stopped"}"#, in: metrics.body) == 1, "\(metrics.body)")
        #expect(value("objstream_tx_streams_open", in: metrics.body) == 0)
        #expect((value("objstream_tx_completions_failed_total", in: metrics.body) ?? 0) >= 1)
        let sent = try #require(value("objstream_tx_bytes_total", in: metrics.body))
        #expect(sent.truncatingRemainder(dividingBy: 4096) == 0 && sent > 0)

        // The second signal ends the 60 s linger; a stopped send exits 1. Waiting less than
        // the linger proves it: an exit that came from the linger's end would take 60 s.
        sender.signal(SIGTERM)
        #expect(sender.waitForExit(timeout: .seconds(45)) == 1, "\(sender.text)")
    }

    @Test(arguments: [
        (["--metrics-listen", "nowhere"], "--metrics-listen 'nowhere' is not ADDR:PORT"),
        (["--metrics-listen", "127.0.0.1:70000"], "--metrics-listen '127.0.0.1:70000' is not ADDR:PORT"),
        (["--linger", "5 minutes"], "--linger '5 minutes' is not a duration"),
        (["--linger"], "--linger needs a value"),
    ])
    func badMetricsListenOrLingerIsAUsageErrorNamingTheValue(extra: [String], message: String) throws {
        let result = try ChildProcess.run(
            TestPaths.objstreamBinary.path, ["send", "http://127.0.0.1:9/v1/objstream/x", "--synthetic", "1", "--size", "1"] + extra)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("objstream send: \(message)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func metricsListenServesAnIPv6LoopbackAddress() throws {
        let (gateway, gatewayPort) = try startGateway()
        defer { gateway.stop() }
        let sender = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["send", "http://127.0.0.1:\(gatewayPort)/v1/objstream/default", "--synthetic", "1", "--size", "1",
             "--metrics-listen", "[::1]:0", "--linger", "60s"])
        defer { sender.stop() }
        let port = try sender.reportedPort(after: "objstream send: metrics on [::1]:")
        #expect(sender.line(containing: "sent 1 objects") != nil, "\(sender.text)")
        let metrics = try Curl.run(["-g", "http://[::1]:\(port)/metrics"])
        #expect(metrics.status == 200, "\(metrics.stderr)")
        #expect(value("objstream_tx_objects_total", in: metrics.body) == 1, "\(metrics.body)")
        #expect(try Curl.run(["-g", "http://[::1]:\(port)/readyz"]).body == #"{"status":"ready"}"# + "\n")
        // The linger ends at the second signal; the send exits 0.
        sender.signal(SIGTERM)
        #expect(sender.waitForExit(timeout: .seconds(45)) == 0, "\(sender.text)")
    }

    @Test func metricsListenTakesAHostName() throws {
        let (gateway, gatewayPort) = try startGateway()
        defer { gateway.stop() }
        let sender = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["send", "http://127.0.0.1:\(gatewayPort)/v1/objstream/default", "--synthetic", "1", "--size", "1",
             "--metrics-listen", "localhost:0", "--linger", "60s"])
        defer { sender.stop() }
        let port = try sender.reportedPort(after: "objstream send: metrics on localhost:")
        #expect(sender.line(containing: "sent 1 objects") != nil, "\(sender.text)")
        #expect(try Curl.run(["http://127.0.0.1:\(port)/healthz"]).status == 200)
    }

    @Test func sendUsageDocumentsMetricsListenAndLinger() throws {
        let help = try ChildProcess.run(TestPaths.objstreamBinary.path, ["send", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--metrics-listen ADDR:PORT"))
        #expect(help.stdout.contains("--linger DURATION"))
    }
}
