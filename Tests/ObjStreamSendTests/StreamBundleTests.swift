import ObjStreamCluster
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// `StreamBundle` against in-process receivers: completion once per object, reopens, unknown
/// destinations, round-robin.
@Suite struct StreamBundleTests {
    /// A map of the local node `self` (never streamed to) and `servers` as `d0`, `d1`, ...; a
    /// nil server is a node where nothing listens (port 1).
    static func map(_ servers: [RawStreamServer?], version: Int64 = 1) -> ClusterMap {
        let nodes = servers.enumerated().map { i, s in
            ClusterNode(id: "d\(i)", url: s.map { "http://\($0.host):\($0.port)" } ?? "http://127.0.0.1:1")
        }
        return ClusterMap(version: version, nodes: [ClusterNode(id: "self", url: "http://127.0.0.1:9")] + nodes)
    }

    static func options(_ configure: (inout BundleOptions) -> Void = { _ in }) -> BundleOptions {
        var options = BundleOptions(localNodeID: "self", endpointName: "bundle")
        options.stream = TestObjects.options { $0.retryWindow = .milliseconds(300) }
        configure(&options)
        return options
    }

    @Test func broadcastCompletesOnceAfterTheLastCopyWithTheFirstErrorAndTheFailedDestination() throws {
        let servers = try (0..<2).map { _ in try RawStreamServer(digests: true) }
        defer { servers.forEach { $0.kill() } }
        // Nothing listens for d1: its copies fail to connect, the others are sent.
        let bundle = try StreamBundle(map: Self.map([servers[0], nil, servers[1]]), options: Self.options())
        #expect(bundle.destinationIDs == ["d0", "d1", "d2"])
        let log = CompletionLog()
        let data = PayloadPattern.bytes(for: "b", size: 100_000)
        for i in 0..<20 {
            try? bundle.send(.bytes(ObjectHeader(objectName: "b\(i)"), data, context: i, callback: log.callback))
        }
        bundle.fin()
        #expect(log.all.map(\.index).sorted() == Array(0..<20))
        for entry in log.all {
            #expect(entry.error?.failedDestinations == ["d1"], "\(String(describing: entry.error))")
            #expect(entry.error?.message.contains("=>d1]") == true, "\(String(describing: entry.error))")
        }
        for s in servers {
            #expect(s.waitFor { $0.count == 1 && $0[0].complete })
            #expect(s.objects.count == 20)
            #expect(s.objects.allSatisfy { $0.digest == TestObjects.digest(data) })
        }
    }

    @Test func reopenableSourcesAreReopenedOncePerExtraDestinationAndAFailedReopenFailsThatCopyAlone() throws {
        let servers = try (0..<3).map { _ in try RawStreamServer(digests: true) }
        defer { servers.forEach { $0.kill() } }
        let bundle = try StreamBundle(map: Self.map(servers), options: Self.options())
        let data = PayloadPattern.bytes(for: "r", size: 5000)
        let fine = CountingSource(data)
        let failing = CountingSource(data, failing: [2])
        let log = CompletionLog()
        var header = ObjectHeader(objectName: "fine")
        header.attributes.size = Int64(data.count)
        try bundle.send(OutgoingObject(header: header, source: fine, context: 0, callback: log.callback))
        header.objectName = "failing"
        #expect(throws: SendError.self) {
            try bundle.send(OutgoingObject(header: header, source: failing, context: 1, callback: log.callback))
        }
        bundle.fin()
        #expect(fine.reopenCount == 2)
        #expect(failing.reopenCount == 2)
        let byIndex = Dictionary(log.all.map { ($0.index, $0.error) }) { a, _ in a }
        #expect(log.count == 2)
        #expect(byIndex[0]! == nil)
        let error = try #require(byIndex[1]!)
        #expect(error.code == .sourceFailed)
        #expect(error.failedDestinations == ["d2"])
        #expect(error.cause is CountingSource.ReopenFailure)
        #expect(error.message.contains("node d2"), "\(error)")
        #expect(servers[0].waitFor { $0.first?.complete == true } && servers[0].objects.map(\.header.objectName) == ["fine", "failing"])
        #expect(servers[1].waitFor { $0.first?.complete == true } && servers[1].objects.map(\.header.objectName) == ["fine", "failing"])
        #expect(servers[2].waitFor { $0.first?.complete == true } && servers[2].objects.map(\.header.objectName) == ["fine"])
    }

    @Test func sendingToANodeOutsideTheBundleCompletesTheObjectWithDestinationMissingNamingIt() throws {
        let servers = try (0..<2).map { _ in try RawStreamServer() }
        defer { servers.forEach { $0.kill() } }
        let bundle = try StreamBundle(map: Self.map(servers), options: Self.options())
        let log = CompletionLog()
        let source = BytesSource([1, 2, 3])
        var header = ObjectHeader(objectName: "lost")
        header.attributes.size = 3
        #expect {
            try bundle.send(OutgoingObject(header: header, source: source, context: 7, callback: log.callback), to: ["d0", "ghost"])
        } throws: { error in
            let e = error as? SendError
            return e?.code == .destinationMissing && e?.message.contains("ghost") == true && e?.failedDestinations == ["ghost"]
        }
        #expect(log.count == 1 && log.all[0].error?.code == .destinationMissing)
        #expect(source.isClosed)
        // The local node is no destination either, and a map without the listed nodes makes no bundle.
        #expect(throws: SendError.self) { try bundle.send(.bytes(ObjectHeader(objectName: "x"), [1]), to: ["self"]) }
        #expect {
            _ = try StreamBundle(map: Self.map(servers), options: Self.options { $0.nodes = ["d0", "d9"] })
        } throws: { error in
            (error as? SendError)?.code == .destinationMissing && (error as? SendError)?.failedDestinations == ["d9"]
        }
        try bundle.send(.bytes(ObjectHeader(objectName: "only-d1"), [1]), to: ["d1"])
        bundle.fin()
        #expect(servers[0].requests.isEmpty)
        #expect(servers[1].waitFor { $0.first?.complete == true } && servers[1].objects.map(\.header.objectName) == ["only-d1"])
    }

    @Test func objectsTakeADestinationsStreamsInTurn() throws {
        let servers = try (0..<2).map { _ in try RawStreamServer() }
        defer { servers.forEach { $0.kill() } }
        let bundle = try StreamBundle(map: Self.map(servers), options: Self.options { $0.multiplier = 3 })
        for i in 0..<30 { try bundle.send(.bytes(ObjectHeader(objectName: "rr\(i)"), [1]), to: i < 10 ? ["d0", "d1"] : ["d0"]) }
        let d0 = bundle.streams(to: "d0")
        let d1 = bundle.streams(to: "d1")
        bundle.fin()
        #expect(d0.map(\.objectsSent) == [10, 10, 10])
        #expect(d1.map(\.objectsSent) == [4, 3, 3])
        // Stream k of d0 carried objects k, k+3, k+6, ...
        #expect(servers[0].waitFor { $0.count == 3 && $0.allSatisfy(\.complete) })
        for (k, stream) in d0.enumerated() {
            let request = servers[0].requests.first { $0.header("Ais-Session-Id") == "\(stream.sessionID)" }
            #expect(request?.objects.map(\.header.objectName) == stride(from: k, to: 30, by: 3).map { "rr\($0)" })
        }
    }

    @Test func aNewMapVersionAddsAndRemovesDestinationsAndKeepsTheOthersStreams() throws {
        let servers = try (0..<3).map { _ in try RawStreamServer() }
        defer { servers.forEach { $0.kill() } }
        let v1 = ClusterMap(version: 1, nodes: Array(Self.map(servers).nodes.prefix(3)))
        let bundle = try StreamBundle(map: v1, options: Self.options())
        try bundle.send(.bytes(ObjectHeader(objectName: "before"), [1]))
        let kept = bundle.streams(to: "d0").map(\.sessionID)
        let leaving = bundle.streams(to: "d1")
        var nodes = Self.map(servers).nodes
        nodes.remove(at: 2)
        #expect(throws: SendError.self) { try bundle.apply(ClusterMap(version: 1, nodes: nodes)) }
        let change = try bundle.apply(ClusterMap(version: 2, nodes: nodes))
        #expect(change.added == ["d2"] && change.removed == ["d1"])
        #expect(bundle.destinationIDs == ["d0", "d2"])
        #expect(bundle.streams(to: "d0").map(\.sessionID) == kept)
        #expect(leaving.allSatisfy { $0.terminationReason?.name == "end-of-stream" })
        try bundle.send(.bytes(ObjectHeader(objectName: "after"), [1]))
        bundle.fin()
        #expect(servers[0].waitFor { $0.allSatisfy(\.complete) } && servers[0].objects.map(\.header.objectName) == ["before", "after"])
        #expect(servers[1].objects.map(\.header.objectName) == ["before"])
        #expect {
            try bundle.send(.bytes(ObjectHeader(objectName: "late"), [1]))
        } throws: { error in
            (error as? SendError)?.code == .terminated && (error as? SendError)?.message.contains("closed") == true
        }
        #expect(servers[2].waitFor { $0.first?.complete == true } && servers[2].objects.map(\.header.objectName) == ["after"])
    }
}
