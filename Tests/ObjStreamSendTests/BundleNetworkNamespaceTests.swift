import Foundation
import ObjStreamTestSupport
import Testing

/// `objstream send --cluster --broadcast` between three hosts: network namespaces joined by
/// veth links, each running `objstream serve`, one link cut in the middle of the broadcast.
@Suite struct BundleNetworkNamespaceTests {
    @Test func cuttingOneLinkMidBroadcastFailsOnlyThatDestinationAndTheSendEndsByItself() throws {
        let hosts = try NetworkNamespaces(count: 3)
        defer { hosts.remove() }
        let gateways = try (1...3).map { i in
            try ServedGateway(
                endpoints: #"{"name": "net", "action": "sink"}"#, listen: "0.0.0.0:9080", launcher: hosts.launcher(i))
        }
        defer { gateways.forEach { $0.stop() } }
        let folder = try TestPaths.temporaryDirectory("objstream-netns")
        defer { try? FileManager.default.removeItem(at: folder) }
        let nodes = (1...3).map { #"{"id": "h\#($0)", "url": "http://\#(hosts.address($0)):9080"}"# }
        let map = folder.appendingPathComponent("cluster.json")
        try Data(#"{"version": 1, "nodes": [\#(nodes.joined(separator: ", "))]}"#.utf8).write(to: map)
        // A short write timeout, so a cut link fails its stream soon; small socket buffers, so
        // what the sender wrote is close to what crossed the link.
        let config = folder.appendingPathComponent("objstream.json")
        try Data(
            #"{"sender": {"write_timeout": "2s", "connect_timeout": "1s", "retry_window": "1s", "send_buffer": "64KiB"}}"#.utf8
        ).write(to: config)
        // 400 objects of 64 KiB over links of 16 Mbit/s: each destination's copies take 13 s at
        // least, however fast the machine, so the cut below comes mid-broadcast.
        try hosts.limitHubRate("16mbit")
        let report = folder.appendingPathComponent("report.json")
        let sender = try ChildProcess(
            hosts.launcher(1)[0],
            Array(hosts.launcher(1).dropFirst()) + [
                TestPaths.objstreamBinary.path, "send", "--cluster", map.path, "--node", "h1", "--trname", "net",
                "--broadcast", "--synthetic", "400", "--size", "64KiB", "--config", config.path, "--retries", "0",
                "--response-timeout", "3s", "--report", report.path,
            ])
        defer { sender.stop(signal: SIGKILL) }
        // h3 answered a confirmed request: the broadcast is under way on its link. Cut it.
        #expect(eventually { gateways[2].process.stderrLines.contains { $0.hasPrefix("objstream: session ") } })
        try hosts.cutLink(to: 3)
        let outcome = try sender.wait(timeout: .seconds(300))
        #expect(outcome.status == 1, "\(outcome.stdout)\(outcome.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any] ?? [:]
        let perNode = Dictionary(
            ((json["nodes"] as? [[String: Any]]) ?? []).map { ($0["node"] as? String ?? "?", $0) }) { a, _ in a }
        #expect(perNode["h2"]?["delivered"] as? Int == 400 && perNode["h2"]?["failed"] as? Int == 0, "\(perNode)")
        let h3Delivered = perNode["h3"]?["delivered"] as? Int ?? -1
        #expect((1..<400).contains(h3Delivered), "h3 got \(h3Delivered) of 400: the cut was not mid-broadcast")
        #expect(perNode["h3"]?["failed"] as? Int == 400 - h3Delivered, "\(perNode)")
        let failed = (json["failed"] as? [[String: Any]]) ?? []
        #expect(!failed.isEmpty && failed.allSatisfy { $0["node"] as? String == "h3" }, "\(failed.prefix(3))")
        // The stream that carried objects when the link went down failed on the network: the
        // write timeout (or TCP_USER_TIMEOUT, the same 2 s) ended it, not a hang.
        let streamFailures = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("stream failed: ") }
        #expect(streamFailures.allSatisfy { $0.hasPrefix("stream failed: node h3: ") }, "\(streamFailures)")
        #expect(streamFailures.contains { $0.hasPrefix("stream failed: node h3: network: ") }, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("node h2: sent 400 objects, 26214400 bytes, 0 failed"), "\(outcome.stdout)")
    }
}
