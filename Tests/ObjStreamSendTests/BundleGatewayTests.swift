import Foundation
import ObjStreamCluster
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// `StreamBundle` from this process to real `objstream serve` gateways on loopback, each
/// storing what it receives: broadcast, a gateway killed and restarted, a map reload.
@Suite struct BundleGatewayTests {
    static let endpoints = #"{"name": "bundle", "action": "store"}"#
    static let bucket = "bundle"

    /// The map of the local node `self` (never streamed to) and the gateways, named by `ids`.
    static func map(_ gateways: [ServedGateway], ids: [String], version: Int64 = 1) -> ClusterMap {
        let nodes = zip(ids, gateways).map { ClusterNode(id: $0, url: $1.baseURL) }
        return ClusterMap(version: version, nodes: [ClusterNode(id: "self", url: "http://127.0.0.1:1")] + nodes)
    }

    /// Confirmed delivery, short retries, a registry of the test's.
    static func options(_ configure: (inout BundleOptions) -> Void = { _ in }) -> BundleOptions {
        var options = BundleOptions(localNodeID: "self", endpointName: "bundle")
        options.stream = TestObjects.options {
            $0.confirmation = DeliveryConfirmation(maxBytes: 1 << 20, maxDelay: .milliseconds(200))
            $0.retryWindow = .seconds(1)
        }
        configure(&options)
        return options
    }

    static func object(_ name: String, _ bytes: [UInt8], _ index: Int, _ callback: @escaping SentCallback) -> OutgoingObject {
        .bytes(ObjectHeader(bucket: Bucket(name: bucket), objectName: name), bytes, context: index, callback: callback)
    }

    /// The bytes a gateway stored for an object, nil when it has none.
    static func stored(_ gateway: ServedGateway, _ name: String) -> [UInt8]? {
        (try? Data(contentsOf: gateway.storedFile(bucket: bucket, object: name))).map { [UInt8]($0) }
    }

    @Test func broadcastOf2000RandomObjectsArrivesByteExactEverywhereAndFourStreamsShareEachDestination() throws {
        let gateways = try (0..<3).map { _ in try ServedGateway(endpoints: Self.endpoints) }
        defer { gateways.forEach { $0.stop() } }
        let ids = ["a", "b", "c"]
        let bundle = try StreamBundle(map: Self.map(gateways, ids: ids), options: Self.options { $0.multiplier = 4 })
        let completions = Mutex([Int: Int]())
        let errors = Mutex([SendError]())
        let callback: SentCallback = { _, context, error in
            completions.withLock { $0[context as! Int, default: 0] += 1 }
            if let error { errors.withLock { $0.append(error) } }
        }
        var rng = SplitMix64(seed: 12)
        var payloads: [[UInt8]] = []
        for i in 0..<2000 {
            let bytes = TestObjects.random(Int.random(in: 0...40_000, using: &rng), using: &rng)
            payloads.append(bytes)
            try bundle.send(Self.object("o\(i)", bytes, i, callback))
        }
        let streams = ids.map { bundle.streams(to: $0) }
        bundle.fin()
        #expect(errors.withLock { $0.map(\.description) } == [])
        let counts = completions.withLock { $0 }
        #expect(counts.count == 2000 && counts.values.allSatisfy { $0 == 1 })
        for (id, gateway) in zip(ids, gateways) {
            let wrong = (0..<2000).filter { Self.stored(gateway, "o\($0)") != payloads[$0] }
            #expect(wrong.isEmpty, "\(id): \(wrong.count) objects missing or different, first o\(wrong.first ?? -1)")
        }
        for (id, four) in zip(ids, streams) {
            #expect(four.count == 4)
            for stream in four {
                #expect((400...600).contains(stream.objectsSent), "\(id): \(stream) carried \(stream.objectsSent) of 2000")
            }
        }
        let metrics = bundle.options.stream.metrics.render()
        for id in ids {
            #expect(metrics.contains("objstream_tx_node_objects_total{node=\"\(id)\"} 2000"), "\(metrics)")
            #expect(metrics.contains("objstream_tx_node_streams_open{node=\"\(id)\"} 0"))
        }
    }

    @Test func aKilledGatewaysCopiesFailItsStreamsReportOnceAndReopeningAfterItsRestartResumesDelivery() throws {
        let a = try ServedGateway(endpoints: Self.endpoints)
        let b = try ServedGateway(endpoints: Self.endpoints)
        let victim = try ServedGateway.restartable(endpoints: Self.endpoints)
        var restarted: ServedGateway?
        defer {
            a.stop()
            b.stop()
            victim.kill()
            restarted?.stop()
        }
        let terminations = Mutex([(String, SendError)]())
        let bundle = try StreamBundle(
            map: Self.map([a, b, victim], ids: ["a", "b", "v"]),
            options: Self.options {
                $0.multiplier = 2
                $0.terminationCallback = { node, error in terminations.withLock { $0.append((node, error)) } }
            })
        let outcomes = Mutex([Int: SendError?]())
        let callback: SentCallback = { _, context, error in outcomes.withLock { $0[context as! Int] = .some(error) } }
        let data = PayloadPattern.bytes(for: "kill", size: 20_000)
        for i in 0..<300 { try? bundle.send(Self.object("k\(i)", data, i, callback)) }
        // Mid-broadcast: some objects are confirmed, others still queued when the gateway dies.
        #expect(eventually { outcomes.withLock { $0.count } >= 50 })
        victim.kill()
        for i in 300..<600 { try? bundle.send(Self.object("k\(i)", data, i, callback)) }
        #expect(eventually { outcomes.withLock { $0.count } == 600 })
        #expect(eventually { bundle.streams(to: "v").allSatisfy(\.isTerminated) })
        let done = outcomes.withLock { $0 }
        let failedForVictim = done.filter { $0.value?.failedDestinations == ["v"] }.map(\.key)
        #expect(done.values.allSatisfy { $0 == nil || $0?.failedDestinations == ["v"] }, "only v's copies fail")
        #expect((300..<600).allSatisfy { failedForVictim.contains($0) }, "every copy sent after the kill failed")
        for i in 0..<600 {
            #expect(Self.stored(a, "k\(i)") == data && Self.stored(b, "k\(i)") == data, "k\(i)")
        }
        // Confirmed delivery: every copy reported delivered to v is in v's store.
        let deliveredToVictim = done.filter { $0.value == nil }.map(\.key).sorted()
        #expect(!deliveredToVictim.isEmpty)
        #expect(deliveredToVictim.allSatisfy { Self.stored(victim, "k\($0)") == data })
        #expect(terminations.withLock { $0.map(\.0) } == ["v"])
        #expect(bundle.isBroken("v") == true && bundle.isBroken("a") == false)

        restarted = try victim.restarted()
        #expect(try bundle.reopen("v") == 2)
        for i in 600..<700 { try bundle.send(Self.object("k\(i)", data, i, callback)) }
        bundle.fin()
        let after = outcomes.withLock { $0 }
        #expect((600..<700).allSatisfy { after[$0].map { $0 == nil } == true })
        #expect((600..<700).allSatisfy { Self.stored(victim, "k\($0)") == data })
        #expect(terminations.withLock { $0.count } == 1)
    }

    @Test func aMapReloadKeepsTheSessionsOfUnchangedNodesAndTheAddedNodeGetsTheNextObjects() throws {
        let gateways = try (0..<4).map { _ in try ServedGateway(endpoints: Self.endpoints) }
        defer { gateways.forEach { $0.stop() } }
        let v1 = Self.map(Array(gateways.prefix(3)), ids: ["a", "b", "c"])
        let bundle = try StreamBundle(map: v1, options: Self.options())
        let log = CompletionLog()
        for i in 0..<50 { try bundle.send(Self.object("m\(i)", [UInt8(i)], i, log.callback)) }
        let sessions = ["a", "b"].map { bundle.streams(to: $0).map(\.sessionID) }
        let v2 = Self.map([gateways[0], gateways[1], gateways[3]], ids: ["a", "b", "d"], version: 2)
        let change = try bundle.apply(v2)
        #expect(change.added == ["d"] && change.removed == ["c"])
        #expect(["a", "b"].map { bundle.streams(to: $0).map(\.sessionID) } == sessions)
        for i in 50..<100 { try bundle.send(Self.object("m\(i)", [UInt8(i)], i, log.callback)) }
        bundle.fin()
        #expect(log.count == 100 && log.all.allSatisfy { $0.error == nil })
        #expect(["a", "b"].map { bundle.streams(to: $0).map(\.sessionID) } == sessions)
        let has = { (g: ServedGateway, i: Int) in Self.stored(g, "m\(i)") == [UInt8(i)] }
        #expect((0..<100).allSatisfy { has(gateways[0], $0) && has(gateways[1], $0) })
        #expect((0..<50).allSatisfy { has(gateways[2], $0) } && !(50..<100).contains { has(gateways[2], $0) })
        #expect(!(0..<50).contains { has(gateways[3], $0) } && (50..<100).allSatisfy { has(gateways[3], $0) })
        // The gateways saw the same sessions: one per unchanged node's stream, over both maps.
        for (gateway, ids) in zip(gateways.prefix(2), sessions) {
            let seen = { Set(gateway.process.stderrLines.compactMap { Self.sid(in: $0) }) }
            #expect(eventually { seen() == Set(ids) }, "\(seen()) != \(ids)")
        }
    }

    /// The `sid=N` of a gateway's session line, nil for other lines.
    static func sid(in line: String) -> Int64? {
        guard line.hasPrefix("objstream: session ") else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("sid=") }.flatMap { Int64($0.dropFirst(4)) }
    }
}
