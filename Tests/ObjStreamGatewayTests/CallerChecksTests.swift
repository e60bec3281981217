import Foundation
import ObjStreamCluster
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// The caller checks of WIRE.md section 7 on a real gateway on loopback: each refusal is
/// answered from the request's head alone (no body byte is sent before the answer is read),
/// with its JSON code, and counted by reason; signed streams from members pass.
@Suite struct CallerChecksTests {
    /// node-a and node-b sign; node-c is a member without a public key.
    static let keyA = NodeSigningKey(seed: [UInt8](repeating: 0xA1, count: 32))!
    static let keyB = NodeSigningKey(seed: [UInt8](repeating: 0xB2, count: 32))!
    static let map = ClusterMap(
        version: 5,
        nodes: [
            ClusterNode(id: "node-a", url: "http://127.0.0.1:9", publicKey: keyA.publicKey),
            ClusterNode(id: "node-b", url: "http://127.0.0.2:9", publicKey: keyB.publicKey),
            ClusterNode(id: "node-c", url: "http://127.0.0.3:9"),
        ])

    /// One request head's caller fields; nil leaves a header out.
    struct Head {
        var trname = "sink"
        var sessionID: String? = "777"
        var sender = "node-a"
        var mapVersion: String? = "5"
        var nonce: String? = "1000"
        var signature: String?

        /// A head signed by `key` over these fields (or over `signed`'s, to forge a mismatch).
        static func signed(
            by key: NodeSigningKey = keyA, sender: String = "node-a", nonce: UInt64 = 1000, trname: String = "sink",
            sessionID: Int64 = 777, over signed: (trname: String, sessionID: Int64)? = nil
        ) -> Head {
            let covered = signed ?? (trname, sessionID)
            let message = CallerSignature.message(
                trname: covered.trname, senderID: sender, sessionID: covered.sessionID, mapVersion: 5, nonce: nonce)
            return Head(
                trname: trname, sessionID: String(sessionID), sender: sender, nonce: String(nonce),
                signature: Base64URL.encode(key.sign(message)))
        }

        var bytes: [UInt8] {
            var head = "PUT /v1/objstream/\(trname) HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            if let sessionID { head += "Ais-Session-Id: \(sessionID)\r\n" }
            if !sender.isEmpty { head += "Ais-Caller-Id: \(sender)\r\n" }
            if let mapVersion { head += "Ais-Caller-Smap-Ver: \(mapVersion)\r\n" }
            if let nonce { head += "Ais-Caller-Nonce: \(nonce)\r\n" }
            if let signature { head += "Ais-Caller-Sig: \(signature)\r\n" }
            return Array((head + "\r\n").utf8)
        }
    }

    let harness: GatewayHarness
    let sink = SinkEndpoint()

    init(mode: SigningMode = .strict, replayState: ReplayState? = nil) throws {
        harness = try GatewayHarness(
            options: GatewayOptions(port: 0, signing: mode), clusterMap: Self.map, replayState: replayState)
        try harness.endpoints.register("sink", sink)
    }

    init() throws { try self.init(mode: .strict) }

    private func probe() throws -> [UInt8] {
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "probe"))
        return encoder.bytes
    }

    /// Sends the head alone and reads the answer: a refusal comes before any body byte.
    private func refusal(_ head: Head) throws -> (status: Int, code: String) {
        let client = try RawHTTPClient(port: harness.port)
        try client.send(head.bytes)
        let response = try client.readResponse()
        let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        return (response.status, json?["code"] as? String ?? response.body)
    }

    /// Sends the head and a one-object body; the answer's status.
    private func put(_ head: Head) throws -> Int {
        let client = try RawHTTPClient(port: harness.port)
        try client.send(head.bytes)
        try client.sendChunk(try probe())
        try client.endChunked()
        return try client.readResponse().status
    }

    private func rejected(_ reason: String) -> Double {
        harness.counter("objstream_auth_rejected_total", "reason=\"\(reason)\"")
    }

    @Test func aMissingSessionIDIs400AndOneThatIsNotAnIntegerToo() throws {
        defer { harness.stop() }
        #expect(try refusal(Head(sessionID: nil)) == (400, "missing_session_id"))
        #expect(try refusal(Head(sessionID: "12abc")) == (400, "bad_session_id"))
        #expect(rejected("missing_session_id") == 1 && rejected("bad_session_id") == 1)
        #expect(sink.received.objects == 0)
    }

    @Test func aSenderThatIsNotInTheClusterMapIs403() throws {
        defer { harness.stop() }
        #expect(try refusal(Head.signed(sender: "node-x")) == (403, "unknown_sender"))
        #expect(try refusal(Head(sender: "")) == (403, "unknown_sender"))
        #expect(rejected("unknown_sender") == 2)
    }

    @Test func aRequestSignedWithAnotherMembersKeyIs403() throws {
        defer { harness.stop() }
        #expect(try refusal(Head.signed(by: Self.keyB, sender: "node-a")) == (403, "bad_signature"))
        #expect(rejected("bad_signature") == 1)
    }

    @Test func aSignatureOverAnotherTrnameOrSessionIDIs403() throws {
        defer { harness.stop() }
        #expect(try refusal(Head.signed(over: (trname: "other", sessionID: 777))) == (403, "bad_signature"))
        #expect(try refusal(Head.signed(over: (trname: "sink", sessionID: 778))) == (403, "bad_signature"))
        var otherVersion = Head.signed()
        otherVersion.mapVersion = "6"
        #expect(try refusal(otherVersion) == (403, "bad_signature"))
        var garbled = Head.signed()
        garbled.signature = String(repeating: "A", count: 85) + "="
        #expect(try refusal(garbled) == (403, "bad_signature"))
        #expect(rejected("bad_signature") == 4)
        #expect(sink.received.objects == 0)
    }

    @Test func strictModeRefusesAMissingSignature() throws {
        defer { harness.stop() }
        #expect(try refusal(Head(nonce: nil)) == (403, "missing_signature"))
        #expect(rejected("missing_signature") == 1)
    }

    @Test func aSignedRequestWithoutANonceOrMapVersionOrFromAMemberWithoutAKeyIs403() throws {
        defer { harness.stop() }
        var noNonce = Head.signed()
        noNonce.nonce = nil
        #expect(try refusal(noNonce) == (403, "bad_nonce"))
        noNonce.nonce = "-1"
        #expect(try refusal(noNonce) == (403, "bad_nonce"))
        var noVersion = Head.signed()
        noVersion.mapVersion = nil
        #expect(try refusal(noVersion) == (403, "bad_map_version"))
        #expect(try refusal(Head.signed(sender: "node-c")) == (403, "no_public_key"))
        #expect(rejected("bad_nonce") == 2 && rejected("bad_map_version") == 1 && rejected("no_public_key") == 1)
    }

    @Test func theSameNonceTwiceIsAReplay() throws {
        defer { harness.stop() }
        #expect(try put(Head.signed(nonce: 5000)) == 200)
        #expect(try refusal(Head.signed(nonce: 5000)) == (403, "replayed_nonce"))
        // Another sender's nonces are its own.
        #expect(try put(Head.signed(by: Self.keyB, sender: "node-b", nonce: 5000)) == 200)
        #expect(rejected("replayed_nonce") == 1)
        #expect(sink.received.objects == 2)
    }

    @Test func noncesOutOfOrderWithinTheWindowPassAndOlderOnesAreStale() throws {
        defer { harness.stop() }
        for nonce: UInt64 in [10_000, 9_990, 10_005, 9_995, 5_910] { #expect(try put(Head.signed(nonce: nonce)) == 200) }
        // The window holds the 4096 nonces up to 10005: 5910 is its lowest.
        #expect(try refusal(Head.signed(nonce: 5_909)) == (403, "stale_nonce"))
        #expect(try refusal(Head.signed(nonce: 9_990)) == (403, "replayed_nonce"))
        #expect(rejected("stale_nonce") == 1 && rejected("replayed_nonce") == 1)
        #expect(harness.counter("objstream_auth_accepted_total", "signature=\"verified\"") == 5)
    }

    @Test func permissiveModeAcceptsUnsignedRequestsFromMembersAndCountsThem() throws {
        let permissive = try CallerChecksTests(mode: .permissive)
        defer { permissive.harness.stop() }
        #expect(try permissive.put(Head(nonce: nil)) == 200)
        #expect(try permissive.refusal(Head(sender: "node-x", nonce: nil)) == (403, "unknown_sender"))
        #expect(try permissive.refusal(Head.signed(by: Self.keyB)) == (403, "bad_signature"))
        #expect(try permissive.put(Head.signed()) == 200)
        #expect(permissive.harness.counter("objstream_auth_accepted_total", "signature=\"unsigned\"") == 1)
        #expect(permissive.harness.counter("objstream_auth_accepted_total", "signature=\"verified\"") == 1)
        #expect(permissive.sink.received.objects == 2)
        harness.stop()
    }

    @Test func theMetricsCountEachRejectionByItsReason() throws {
        defer { harness.stop() }
        #expect(try put(Head.signed(nonce: 3)) == 200)
        var noNonce = Head.signed()
        noNonce.nonce = nil
        var noVersion = Head.signed()
        noVersion.mapVersion = nil
        let cases: [(Head, String)] = [
            (Head(sessionID: nil), "missing_session_id"), (Head(sessionID: "x"), "bad_session_id"),
            (Head.signed(sender: "node-x"), "unknown_sender"), (Head.signed(sender: "node-c"), "no_public_key"),
            (Head(nonce: nil), "missing_signature"), (Head.signed(by: Self.keyB), "bad_signature"),
            (noNonce, "bad_nonce"), (noVersion, "bad_map_version"), (Head.signed(nonce: 3), "replayed_nonce"),
        ]
        for (head, reason) in cases { #expect(try refusal(head).code == reason) }
        for reason in AuthReason.allCases {
            let expected: Double = cases.contains { $0.1 == reason.rawValue } ? 1 : 0
            #expect(rejected(reason.rawValue) == expected, "\(reason)")
        }
        #expect(harness.counter("objstream_http_requests_total", "route=\"objstream\",status=\"403\"") == 7)
        #expect(harness.counter("objstream_http_requests_total", "route=\"objstream\",status=\"400\"") == 2)
    }

    @Test func aNonceThatCannotBeMadeDurableIs503AndTheRestartedGatewayRefusesWhatTheFileNames() throws {
        harness.stop()
        let folder = try TestPaths.temporaryDirectory("objstream-replay")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("replay").path
        let first = try CallerChecksTests(mode: .strict, replayState: try ReplayState(path: path))
        #expect(try first.put(Head.signed(nonce: 70_000)) == 200)
        #expect(try first.put(Head.signed(nonce: 69_999)) == 200)
        first.harness.stop()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "70000 node-a\n")
        // A restart: every nonce up to the file's counts as accepted, newer ones pass.
        let second = try CallerChecksTests(mode: .strict, replayState: try ReplayState(path: path))
        #expect(try second.refusal(Head.signed(nonce: 70_000)) == (403, "replayed_nonce"))
        #expect(try second.refusal(Head.signed(nonce: 69_998)) == (403, "replayed_nonce"))
        #expect(try second.put(Head.signed(nonce: 70_001)) == 200)
        // The folder gone: the nonce cannot be remembered, so it is not accepted.
        try FileManager.default.removeItem(at: folder)
        #expect(try second.refusal(Head.signed(nonce: 70_002)) == (503, "replay_state_unwritable"))
        #expect(second.rejected("replay_state_unwritable") == 1)
        second.harness.stop()
    }

    @Test func aSignedStreamFromAMemberDeliversInStrictModeWithEveryRequestSigned() throws {
        defer { harness.stop() }
        var options = StreamOptions()
        options.senderID = "node-a"
        options.metrics = MetricsRegistry()
        options.collector = nil
        // A request per object: each one opens with a new nonce and signature.
        options.confirmation = DeliveryConfirmation(maxBytes: 1, maxDelay: .seconds(60))
        options.cluster = try ClusterCaller(map: Self.map, node: "node-a", signingKey: Self.keyA)
        let stream = try ObjStream(url: "http://127.0.0.1:\(harness.port)/v1/objstream/sink", options: options)
        let failures = Mutex<[String]>([])
        for i in 0..<5 {
            try stream.send(
                .bytes(
                    ObjectHeader(objectName: "o\(i)"), [UInt8](repeating: UInt8(i), count: 100),
                    callback: { header, _, error in
                        if let error { failures.withLock { $0.append("\(header.objectName): \(error)") } }
                    }))
        }
        stream.fin()
        #expect(stream.waitUntilCompleted(timeout: .seconds(60)))
        #expect(failures.withLock { $0 } == [])
        #expect(sink.received.objects == 5)
        #expect(stream.requestCount >= 5)
        #expect(harness.counter("objstream_auth_accepted_total", "signature=\"verified\"") == Double(stream.requestCount))
        for reason in AuthReason.allCases { #expect(rejected(reason.rawValue) == 0) }
    }
}
