import Foundation
import ObjStreamCluster
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// The sender's side of WIRE.md section 7: with a cluster caller every request carries the
/// map version, and with a key a fresh nonce and a signature over that request's own fields;
/// the nonces of a node rise across requests and streams.
@Suite struct SignedRequestTests {
    static let key = NodeSigningKey(seed: [UInt8](repeating: 0x5A, count: 32))!
    static let map = ClusterMap(
        version: 9,
        nodes: [
            ClusterNode(id: "tx-1", url: "http://127.0.0.1:9", publicKey: key.publicKey),
            ClusterNode(id: "tx-2", url: "http://127.0.0.2:9"),
        ])

    /// Whether a recorded request's signature verifies over its own headers and path.
    private func verifies(_ request: RawStreamServer.Request) -> Bool {
        guard let trname = request.requestLine.split(separator: " ").dropFirst().first?.split(separator: "/").last,
            let session = request.header("Ais-Session-Id").flatMap({ Int64($0) }),
            let version = request.header("Ais-Caller-Smap-Ver").flatMap({ Int64($0) }),
            let nonce = request.header("Ais-Caller-Nonce").flatMap({ UInt64($0) }),
            let signature = request.header("Ais-Caller-Sig").flatMap(CallerSignature.parse)
        else { return false }
        let message = CallerSignature.message(
            trname: String(trname), senderID: request.header("Ais-Caller-Id") ?? "", sessionID: session,
            mapVersion: version, nonce: nonce)
        return Self.key.publicKey.verifies(signature, of: message)
    }

    @Test func everyRequestOfAStreamIsSignedAnewAfterIdleTeardownsWithRisingNonces() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let nonces = CallerNonces(seed: 1_000)
        let stream = try ObjStream(
            url: server.url("signed"),
            options: TestObjects.options(tick: .milliseconds(50)) {
                $0.senderID = "tx-1"
                $0.idleTeardown = .milliseconds(200)
                $0.cluster = try? ClusterCaller(map: Self.map, node: "tx-1", signingKey: Self.key, nonces: nonces)
            })
        try stream.send(.bytes(ObjectHeader(objectName: "first"), [1]))
        // The idle teardown ends the first request; the next object opens (and signs) a second.
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        try stream.send(.bytes(ObjectHeader(objectName: "second"), [2]))
        stream.fin()
        #expect(server.waitFor { $0.count == 2 && $0.allSatisfy(\.complete) })
        let requests = server.requests
        #expect(requests.map { $0.header("Ais-Caller-Nonce") } == ["1001", "1002"])
        #expect(requests.allSatisfy { $0.header("Ais-Caller-Smap-Ver") == "9" && $0.header("Ais-Caller-Sig")?.count == 86 })
        #expect(requests.allSatisfy(verifies))
    }

    @Test func confirmedDeliverySignsEachOfItsRequestsAndStreamsOfANodeShareItsCounter() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let nonces = CallerNonces(seed: 50)
        let caller = try ClusterCaller(map: Self.map, node: "tx-1", signingKey: Self.key, nonces: nonces)
        func stream(_ name: String) throws -> ObjStream {
            try ObjStream(
                url: server.url(name),
                options: TestObjects.options {
                    $0.senderID = "tx-1"
                    $0.cluster = caller
                    $0.confirmation = DeliveryConfirmation(maxBytes: 1, maxDelay: .seconds(60))
                })
        }
        let first = try stream("one")
        let second = try stream("two")
        for i in 0..<3 {
            try first.send(.bytes(ObjectHeader(objectName: "a\(i)"), [UInt8(i)]))
            try second.send(.bytes(ObjectHeader(objectName: "b\(i)"), [UInt8(i)]))
        }
        first.fin()
        second.fin()
        #expect(first.waitUntilCompleted(timeout: .seconds(60)) && second.waitUntilCompleted(timeout: .seconds(60)))
        let requests = server.requests
        #expect(requests.count == first.requestCount + second.requestCount && requests.count >= 6)
        let used = requests.compactMap { $0.header("Ais-Caller-Nonce").flatMap { UInt64($0) } }
        // One counter for both streams: every nonce once, 51 up to the last taken.
        #expect(used.sorted() == Array(51...UInt64(50 + requests.count)))
        #expect(requests.allSatisfy(verifies))
    }

    @Test func withoutAKeyRequestsCarryTheMapVersionOnly() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("plain"),
            options: TestObjects.options {
                $0.senderID = "tx-2"
                $0.cluster = try? ClusterCaller(map: Self.map, node: "tx-2")
            })
        try stream.send(.bytes(ObjectHeader(objectName: "x"), [1]))
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        let request = try #require(server.requests.first)
        #expect(request.header("Ais-Caller-Smap-Ver") == "9")
        #expect(request.header("Ais-Caller-Nonce") == nil && request.header("Ais-Caller-Sig") == nil)
    }

    @Test func aCallerIsRefusedForANodeOutsideTheMapWithoutAPublishedKeyOrWithAnotherKey() {
        let other = NodeSigningKey(seed: [UInt8](repeating: 1, count: 32))!
        for (node, key, words) in [
            ("tx-9", Self.key, "'tx-9' is not in the cluster map (version 9)"),
            ("tx-2", Self.key, "'tx-2' has no public_key in the cluster map"),
            ("tx-1", other, "is not the one its public_key in the cluster map names"),
        ] {
            #expect {
                _ = try ClusterCaller(map: Self.map, node: node, signingKey: key)
            } throws: { error in
                (error as? SendError)?.code == .invalidOptions && (error as? SendError)?.message.contains(words) == true
            }
        }
        #expect {
            _ = try ObjStream(
                url: "http://127.0.0.1:9/v1/objstream/x",
                options: TestObjects.options {
                    $0.senderID = "someone"
                    $0.cluster = try? ClusterCaller(map: Self.map, node: "tx-1", signingKey: Self.key)
                })
        } throws: { error in
            (error as? SendError)?.message.contains("sender id 'someone' is not the cluster node 'tx-1'") == true
        }
    }

    @Test func theClockSeedLiesAboveTheWallClockInNanosecondsByLessThan2To20() {
        let before = UInt64(Date().timeIntervalSince1970 * 1e9)
        let seed = CallerNonces.clockSeed()
        let after = UInt64(Date().timeIntervalSince1970 * 1e9)
        // Double rounding of the clock: a microsecond of slack either side.
        #expect(seed + 1_000 >= before && seed <= after + (1 << 20) + 1_000)
        let shared = CallerNonces.shared(for: "seed-test")
        #expect(shared === CallerNonces.shared(for: "seed-test"))
        let a = shared.next()
        #expect(shared.next() == a + 1)
    }
}
