import Foundation
import ObjStreamTestSupport
import Testing

/// `objstream send --cluster` as a real process against real `objstream serve` gateways.
@Suite struct BundleSendCommandTests {
    static let endpoints = #"{"name": "bun", "action": "store"}"#

    /// A cluster map file of the local node `me` and the gateways as `n1`, `n2`, ...
    static func mapFile(_ urls: [String], in folder: URL) throws -> String {
        var nodes = [#"{"id": "me", "url": "http://127.0.0.1:9"}"#]
        for (i, url) in urls.enumerated() { nodes.append(#"{"id": "n\#(i + 1)", "url": "\#(url)"}"#) }
        let path = folder.appendingPathComponent("cluster.json").path
        try Data(#"{"version": 3, "nodes": [\#(nodes.joined(separator: ", "))]}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func send(_ arguments: [String]) throws -> ChildProcess.Outcome {
        try ChildProcess.run(TestPaths.objstreamBinary.path, ["send"] + arguments)
    }

    @Test func broadcastSendsEveryFileToEveryOtherNodeAndSumsUpPerNode() throws {
        let gateways = try (0..<2).map { _ in try ServedGateway(endpoints: Self.endpoints) }
        defer { gateways.forEach { $0.stop() } }
        let folder = try TestPaths.temporaryDirectory("objstream-bundle-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = try Self.mapFile(gateways.map(\.baseURL), in: folder)
        let files = folder.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        for i in 0..<20 { try Data(PayloadPattern.bytes(for: "f\(i)", size: 1000 * i)).write(to: files.appendingPathComponent("f\(i)")) }
        let report = folder.appendingPathComponent("report.json").path
        let result = try send([
            "--cluster", map, "--node", "me", "--trname", "bun", "--broadcast", files.path, "--bucket", "ais://cli",
            "--streams", "2", "--report", report,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(2) == ["node n1: sent 20 objects, 190000 bytes, 0 failed", "node n2: sent 20 objects, 190000 bytes, 0 failed"])
        #expect(lines.last?.hasPrefix("sent 40 objects, 380000 bytes in ") == true, "\(lines)")
        for gateway in gateways {
            for i in 0..<20 {
                let stored = try? Data(contentsOf: gateway.storedFile(bucket: "cli", object: "f\(i)"))
                #expect(stored.map { [UInt8]($0) } == PayloadPattern.bytes(for: "f\(i)", size: 1000 * i), "f\(i)")
            }
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        #expect(json?["delivered"] as? Int == 40)
        let nodes = json?["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.map { $0["node"] as? String } == ["n1", "n2"])
        #expect(nodes.allSatisfy { $0["delivered"] as? Int == 20 && $0["failed"] as? Int == 0 })
    }

    @Test func copiesToANodeThatIsDownFailNamingItAndTheOthersAreDelivered() throws {
        let up = try ServedGateway(endpoints: Self.endpoints)
        defer { up.stop() }
        // Port 1: nothing listens there (a stopped gateway's port could go to another test's).
        let downURL = "http://127.0.0.1:1"
        let folder = try TestPaths.temporaryDirectory("objstream-bundle-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = try Self.mapFile([up.baseURL, downURL], in: folder)
        let report = folder.appendingPathComponent("report.json").path
        let config = folder.appendingPathComponent("objstream.json")
        try Data(#"{"sender": {"retry_window": "200ms"}}"#.utf8).write(to: config)
        let result = try send([
            "--cluster", map, "--node", "me", "--trname", "bun", "--to", "n1,n2", "--synthetic", "5", "--size", "1KiB",
            "--retries", "1", "--config", config.path, "--report", report,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("node n1: sent 5 objects, 5120 bytes, 0 failed"), "\(result.stdout)")
        #expect(result.stdout.contains("node n2: sent 0 objects, 0 bytes, 5 failed"), "\(result.stdout)")
        let failures = result.stderr.split(separator: "\n").filter { $0.hasPrefix("failed: ") }
        #expect(failures.count == 5 && failures.allSatisfy { $0.contains(" to node n2: connect_failed: ") }, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let failed = json?["failed"] as? [[String: Any]] ?? []
        #expect(failed.count == 5 && failed.allSatisfy { $0["node"] as? String == "n2" && $0["error"] as? String == "connect_failed" })
        #expect((0..<5).allSatisfy { FileManager.default.fileExists(atPath: up.storedFile(bucket: "objstream", object: "synthetic/\($0)").path) })
    }

    @Test func clusterUsageErrorsExitWithTwoAndNameWhatIsWrong() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-bundle-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = try Self.mapFile(["http://127.0.0.1:1", "http://127.0.0.1:2"], in: folder)
        let common = ["--trname", "bun", "--synthetic", "1", "--size", "1"]
        let stranger = try send(["--cluster", map, "--node", "zz", "--broadcast"] + common)
        #expect(stranger.status == 2 && stranger.stderr.contains("node 'zz' is not in the cluster map"), "\(stranger.stderr)")
        let unknown = try send(["--cluster", map, "--node", "me", "--to", "n1,ghost"] + common)
        #expect(unknown.status == 2 && unknown.stderr.contains("destination_missing") && unknown.stderr.contains("ghost"), "\(unknown.stderr)")
        let both = try send(["--cluster", map, "--node", "me", "--broadcast", "--to", "n1"] + common)
        #expect(both.status == 2 && both.stderr.contains("either --broadcast or --to"), "\(both.stderr)")
        let noCluster = try send(["--node", "me", "--broadcast"] + common)
        #expect(noCluster.status == 2 && noCluster.stderr.contains("need --cluster FILE"), "\(noCluster.stderr)")
        let alone = folder.appendingPathComponent("alone.json").path
        try Data(#"{"version": 1, "nodes": [{"id": "me", "url": "http://127.0.0.1:9"}]}"#.utf8).write(to: URL(fileURLWithPath: alone))
        let nobody = try send(["--cluster", alone, "--node", "me", "--broadcast"] + common)
        #expect(nobody.status == 2 && nobody.stderr.contains("no member but me"), "\(nobody.stderr)")
        let badMap = folder.appendingPathComponent("bad.json").path
        try Data(#"{"version": 1, "nodes": [{"id": "me"}]}"#.utf8).write(to: URL(fileURLWithPath: badMap))
        let invalid = try send(["--cluster", badMap, "--node", "me", "--broadcast"] + common)
        #expect(invalid.status == 2 && invalid.stderr.contains("url"), "\(invalid.stderr)")
    }
}
