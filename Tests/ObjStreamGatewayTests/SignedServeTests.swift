import Foundation
import ObjStreamCluster
import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Signed streams between real processes: `objstream keygen`, `objstream serve --cluster --node
/// --signing strict` and `objstream send --cluster --node --signing-key`, and the map reloaded
/// on SIGHUP while a stream stays open.
@Suite struct SignedServeTests {
    private let binary = TestPaths.objstreamBinary.path
    private let folder: URL

    init() throws { folder = try TestPaths.temporaryDirectory("objstream-signed") }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `objstream keygen --out DIR`; the public key it printed.
    private func keygen(_ node: String) throws -> String {
        let result = try ChildProcess.run(binary, ["keygen", "--out", path(node)])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    private func writeMap(version: Int, _ nodes: [(id: String, key: String)]) throws {
        let entries = nodes.enumerated().map { i, node in
            #"{"id": "\#(node.id)", "url": "http://127.0.0.1:\#(19_000 + i)", "public_key": "\#(node.key)"}"#
        }
        try Data(#"{"version": \#(version), "nodes": [\#(entries.joined(separator: ", "))]}"#.utf8)
            .write(to: URL(fileURLWithPath: path("cluster.json")))
    }

    private func send(_ port: UInt16, as node: String, key: String? = nil, count: Int = 20) throws -> ChildProcess.Outcome {
        var arguments = [
            "send", "http://127.0.0.1:\(port)/v1/objstream/default", "--synthetic", String(count), "--size", "4KiB",
            "--retries", "0", "--cluster", path("cluster.json"), "--node", node,
        ]
        if let key { arguments += ["--signing-key", key] }
        return try ChildProcess.run(binary, arguments)
    }

    private func metric(_ port: UInt16, _ series: String) throws -> Double {
        ExpositionText.value(of: series, in: try Curl.run(["-sS", "http://127.0.0.1:\(port)/metrics"]).body) ?? -1
    }

    @Test func keygenWritesAPrivateKeyOnlyItsUserReadsAndThePublicKeyForTheMap() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let printed = try keygen("n1")
        let pub = try String(contentsOfFile: path("n1/node.pub"), encoding: .utf8)
        #expect(pub == printed + "\n")
        #expect(NodePublicKey(base64URL: printed) != nil && printed.count == 43)
        var status = stat()
        #expect(stat(path("n1/node.key"), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let key = try NodeSigningKey.load(contentsOf: path("n1/node.key"))
        #expect(key.publicKey.base64URL == printed)
        // Never overwritten.
        let again = try ChildProcess.run(binary, ["keygen", "--out", path("n1")])
        #expect(again.status == 1)
        #expect(again.stderr.contains("node.key: exists"), "\(again.stderr)")
        #expect(try NodeSigningKey.load(contentsOf: path("n1/node.key")).publicKey.base64URL == printed)
    }

    @Test func aSignedSendReachesAStrictGatewayAndUnsignedOrWronglySignedOnesDoNot() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try keygen("a")
        let b = try keygen("b")
        try writeMap(version: 3, [("node-a", a), ("node-b", b)])
        let serve = try ChildProcess(
            binary, ["serve", "--listen", "127.0.0.1:0", "--cluster", path("cluster.json"), "--node", "node-b", "--signing", "strict"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        let good = try send(port, as: "node-a", key: path("a/node.key"))
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.hasPrefix("sent 20 objects"), "\(good.stdout)")
        let unsigned = try send(port, as: "node-a", count: 1)
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("answered 403") && unsigned.stderr.contains("(signing is strict)"), "\(unsigned.stderr)")
        // node-b's key is not node-a's: refused before anything is sent.
        let wrongKey = try send(port, as: "node-a", key: path("b/node.key"), count: 1)
        #expect(wrongKey.status == 2)
        #expect(wrongKey.stderr.contains("the signing key of node 'node-a' is not the one its public_key"), "\(wrongKey.stderr)")
        let logged = serve.line(containing: "objstream: refused a stream request from 127.0.0.1:")
        #expect(logged?.contains("for default: missing_signature: sender 'node-a': no Ais-Caller-Sig") == true, "\(serve.stderrLines)")
        #expect(try metric(port, #"objstream_auth_rejected_total{reason="missing_signature"}"#) >= 1)
        #expect(try metric(port, #"objstream_auth_accepted_total{signature="verified"}"#) >= 1)
        #expect(try metric(port, #"objstream_rx_objects_total{endpoint="default"}"#) == 20)
    }

    @Test func sighupReloadsTheMapForNewRequestsKeepsOpenStreamsAndKeepsTheOldMapWhenTheNewOneIsBad() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try keygen("a")
        let b = try keygen("b")
        let c = try keygen("c")
        try writeMap(version: 1, [("node-a", a), ("node-b", b)])
        let serve = try ChildProcess(
            binary, ["serve", "--listen", "127.0.0.1:0", "--cluster", path("cluster.json"), "--node", "node-b", "--signing", "strict"])
        defer { serve.stop() }
        let port = try serve.reportedPort(after: "objstream: listening on 127.0.0.1:")
        #expect(try metric(port, "objstream_cluster_map_version") == 1)

        // A stream of node-a opens under map 1 and stays open across the reload.
        let keyA = try NodeSigningKey.load(contentsOf: path("a/node.key"))
        let message = CallerSignature.message(trname: "default", senderID: "node-a", sessionID: 900, mapVersion: 1, nonce: 42)
        let head = "PUT /v1/objstream/default HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            + "Ais-Session-Id: 900\r\nAis-Caller-Id: node-a\r\nAis-Caller-Smap-Ver: 1\r\nAis-Caller-Nonce: 42\r\n"
            + "Ais-Caller-Sig: \(Base64URL.encode(keyA.sign(message)))\r\n\r\n"
        let open = try RawHTTPClient(port: port)
        try open.send(Array(head.utf8))
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "before", attributes: ObjectAttributes(size: 3)), data: [1, 2, 3])
        try open.sendChunk(encoder.bytes)
        #expect(eventually { (try? metric(port, #"objstream_rx_sessions_active{endpoint="default"}"#)) == 1 })

        // Map 2: node-a is gone, node-c joins.
        try writeMap(version: 2, [("node-c", c), ("node-b", b)])
        serve.signal(SIGHUP)
        #expect(eventually { (try? metric(port, #"objstream_cluster_map_reloads_total{result="ok"}"#)) == 1 })
        #expect(try metric(port, "objstream_cluster_map_version") == 2)
        #expect(serve.line(containing: "reloaded: version 2, 2 nodes") != nil)
        var rest = FrameEncoder()
        try rest.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "after", attributes: ObjectAttributes(size: 2)), data: [4, 5])
        try open.sendChunk(rest.bytes)
        try open.endChunked()
        let answer = try open.readResponse()
        #expect(answer.status == 200 && answer.body.contains(#""objects":2"#), "\(answer.body)")
        let gone = try send(port, as: "node-a", key: path("a/node.key"), count: 1)
        #expect(gone.status == 2, "node-a is not in the new map either: \(gone.stderr)")
        #expect(try send(port, as: "node-c", key: path("c/node.key")).status == 0)

        // A bad file: logged, counted, map 2 stays.
        try Data("{\"version\": 3, \"nodes\": []}".utf8).write(to: URL(fileURLWithPath: path("cluster.json")))
        serve.signal(SIGHUP)
        #expect(eventually { (try? metric(port, #"objstream_cluster_map_reloads_total{result="failed"}"#)) == 1 })
        #expect(try metric(port, "objstream_cluster_map_version") == 2)
        #expect(serve.line(containing: "not reloaded, version 2 stays: nodes: []: must be a non-empty array") != nil, "\(serve.stderrLines)")
        // Map 1's node-a, with map 2 in force: refused by the gateway itself.
        let refused = try RawHTTPClient(port: port)
        let message2 = CallerSignature.message(trname: "default", senderID: "node-a", sessionID: 901, mapVersion: 1, nonce: 43)
        try refused.send(
            Array(
                head.replacingOccurrences(of: "Ais-Session-Id: 900", with: "Ais-Session-Id: 901")
                    .replacingOccurrences(of: "Ais-Caller-Nonce: 42", with: "Ais-Caller-Nonce: 43")
                    .replacingOccurrences(of: Base64URL.encode(keyA.sign(message)), with: Base64URL.encode(keyA.sign(message2)))
                    .utf8))
        let response = try refused.readResponse()
        #expect(response.status == 403 && response.body.contains("unknown_sender"), "\(response.body)")
        #expect(serve.stop(signal: SIGTERM) == 0)
    }

    @Test func serveRefusesSigningWithoutAMapAndAMapWithoutItsNode() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeMap(version: 1, [("node-a", try keygen("a"))])
        let noMap = try ChildProcess.run(binary, ["serve", "--listen", "127.0.0.1:0", "--signing", "strict"])
        #expect(noMap.status == 2)
        #expect(noMap.stderr.contains("signing strict needs --cluster FILE and --node ID"), "\(noMap.stderr)")
        let notMember = try ChildProcess.run(
            binary, ["serve", "--listen", "127.0.0.1:0", "--cluster", path("cluster.json"), "--node", "node-z"])
        #expect(notMember.status == 2)
        #expect(notMember.stderr.contains(#"nodes: "node-z": no node has the id of --node (version 1)"#), "\(notMember.stderr)")
    }
}
