import Foundation
import ObjStreamTestSupport
import Synchronization

/// The metric families that the code really registers: read from the `/metrics` of a real
/// `objstream serve` and of a real `objstream send --metrics-listen`, so that dashboards and
/// alert rules are checked against the names that exist, not against a list kept by hand.
enum MetricCatalog {
    /// One family of an exposition: its name and its `# TYPE`.
    struct Family: Hashable, Sendable {
        /// The family name, like `objstream_rx_bytes_total`.
        var name: String
        /// `counter`, `gauge`, `histogram`, ...
        var kind: String
    }

    /// The three scrapes the catalog is made of.
    struct Scrapes: Sendable {
        /// The exposition text of a real gateway.
        var gateway: String
        /// The exposition text of a real sender after it sent one object.
        var sender: String
        /// The exposition text of a real sender to a cluster map's nodes (`--cluster`) after it
        /// broadcast one object: the per-node families too.
        var bundleSender: String
    }

    private static let cached = Mutex<Scrapes?>(nil)

    /// Scrapes a real gateway and a real sender once per test process.
    /// - Returns: Both exposition texts.
    /// - Throws: When a process does not start or a scrape fails.
    static func scrapes() throws -> Scrapes {
        try cached.withLock { cached in
            if let cached { return cached }
            let made = try scrapeRealProcesses()
            cached = made
            return made
        }
    }

    /// Every family of the scrapes.
    static func families() throws -> Set<Family> {
        let all = try scrapes()
        return families(in: all.gateway).union(families(in: all.sender)).union(families(in: all.bundleSender))
    }

    /// Every series name a query may use: family names plus `_bucket`, `_sum`, `_count` of histograms.
    static func seriesNames() throws -> Set<String> {
        var out = Set<String>()
        for family in try families() {
            out.insert(family.name)
            if family.kind == "histogram" {
                for suffix in ["_bucket", "_sum", "_count"] { out.insert(family.name + suffix) }
            }
        }
        return out
    }

    /// The families declared by `# TYPE` lines of an exposition text.
    static func families(in text: String) -> Set<Family> {
        var out = Set<Family>()
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let fields = line.split(separator: " ")
            if fields.count == 4 { out.insert(Family(name: String(fields[2]), kind: String(fields[3]))) }
        }
        return out
    }

    private static func scrapeRealProcesses() throws -> Scrapes {
        let binary = TestPaths.objstreamBinary.path
        let gateway = try ChildProcess(binary, ["serve", "--listen", "127.0.0.1:0"])
        defer { gateway.stop() }
        let gatewayPort = try gateway.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let folder = try TestPaths.temporaryDirectory("objstream-catalog")
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = folder.appendingPathComponent("cluster.json")
        try Data(
            #"{"version": 1, "nodes": [{"id": "me", "url": "http://127.0.0.1:9"}, {"id": "peer", "url": "http://127.0.0.1:\#(gatewayPort)"}]}"#
                .utf8
        ).write(to: map)
        let url = ["http://127.0.0.1:\(gatewayPort)/v1/objstream/default"]
        let bundle = ["--cluster", map.path, "--node", "me", "--trname", "default", "--broadcast"]
        let sender = try scrapeSender(url)
        return Scrapes(gateway: try Curl.scrape(gatewayPort), sender: sender, bundleSender: try scrapeSender(bundle))
    }

    /// Runs `objstream send DESTINATION --synthetic 1` with a metrics endpoint and scrapes it after the send.
    private static func scrapeSender(_ destination: [String]) throws -> String {
        let sender = try ChildProcess(
            TestPaths.objstreamBinary.path,
            ["send"] + destination + ["--synthetic", "1", "--size", "1KiB", "--metrics-listen", "127.0.0.1:0", "--linger", "120s"])
        defer { sender.stop() }
        let senderPort = try sender.reportedPort(after: "objstream send: metrics on 127.0.0.1:")
        guard sender.line(containing: "sent 1 objects") != nil else {
            throw ChildProcess.Failure(description: "objstream send did not finish its one object: \(sender.text)")
        }
        return try Curl.scrape(senderPort)
    }
}
