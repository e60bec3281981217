import Foundation
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Testing

@Suite struct RoutingTests {
    let harness: GatewayHarness
    let sink = SinkEndpoint()

    init() throws {
        harness = try GatewayHarness()
        try harness.endpoints.register("sink", sink)
    }

    var base: String { "http://127.0.0.1:\(harness.port)" }

    private func probeBody(_ name: String = "probe") throws -> [UInt8] {
        var encoder = FrameEncoder()
        try encoder.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: name))
        return encoder.bytes
    }

    @Test func curlProbeFromObjstreamFrameDeliversTheHeaderOnlyObject() throws {
        defer { harness.stop() }
        let recorder = RecordingEndpoint()
        try harness.endpoints.register("probe", recorder)
        let pipeline = "'\(TestPaths.objstreamBinary.path)' frame --bucket ais://b --object probe --opaque hi"
            + " | curl -sS -X PUT --data-binary @- -w '%{http_code}' \(base)/v1/objstream/probe"
        let result = try ChildProcess.run("/bin/sh", ["-c", pipeline])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"bytes":0,"objects":1,"refused":[]}"# + "\n200")
        let sessions = recorder.recorded
        #expect(sessions.count == 1)
        let objects = sessions.first?.objects ?? []
        #expect(objects.count == 1)
        #expect(objects.first?.header.bucket == Bucket(name: "b", provider: "ais"))
        #expect(objects.first?.header.objectName == "probe")
        #expect(objects.first?.header.opaque == Array("hi".utf8))
        #expect(objects.first?.bytes == [])
        #expect(objects.first?.complete == true)
        #expect(sessions.first?.ends.count == 1)
        #expect(sessions.first?.ends.first! == nil)
        #expect(harness.counter("objstream_rx_objects_total", "endpoint=\"probe\"") == 1)
    }

    @Test func frameCommandParsesProviderSchemesAndNamespaces() throws {
        defer { harness.stop() }
        let recorder = RecordingEndpoint()
        try harness.endpoints.register("probe", recorder)
        let cases: [(String, Bucket)] = [
            ("s3://b1", Bucket(name: "b1", provider: "aws")),
            ("gs://b2", Bucket(name: "b2", provider: "gcp")),
            ("az://b3", Bucket(name: "b3", provider: "azure")),
            ("ais://@uuid#ns/b4", Bucket(name: "b4", provider: "ais", namespace: Namespace(uuid: "uuid", name: "ns"))),
            ("ais://#ns/b5", Bucket(name: "b5", provider: "ais", namespace: Namespace(name: "ns"))),
        ]
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var body: [UInt8] = []
        for (i, (uri, _)) in cases.enumerated() {
            let file = folder.appendingPathComponent("f\(i)").path
            let frame = try ChildProcess.run(
                "/bin/sh",
                ["-c", "'\(TestPaths.objstreamBinary.path)' frame --bucket '\(uri)' --object o --opcode 7 --sender s1 > \(file)"])
            #expect(frame.status == 0, "\(uri): \(frame.stderr)")
            body += [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        let response = try harness.put("probe", body)
        #expect(response.status == 200)
        let headers = recorder.recorded.first?.objects.map(\.header) ?? []
        #expect(headers.map(\.bucket) == cases.map(\.1))
        #expect(headers.allSatisfy { $0.opcode == Opcode(rawValue: 7) && $0.senderID == "s1" })
        let bad = try ChildProcess.run(TestPaths.objstreamBinary.path, ["frame", "--bucket", "xx://b", "--object", "o"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown scheme 'xx'"))
    }

    @Test func otherMethodsAnswer405WithJSON() throws {
        defer { harness.stop() }
        let get = try Curl.run(["\(base)/v1/objstream/sink"])
        #expect(get.status == 405)
        #expect(get.body.hasPrefix(#"{"code":"method_not_allowed","error":"#))
        let post = try Curl.run(["-X", "POST", "\(base)/metrics"])
        #expect(post.status == 405)
        #expect(post.body.hasPrefix(#"{"code":"method_not_allowed""#))
    }

    @Test func otherPathsAnswer404WithJSON() throws {
        defer { harness.stop() }
        let result = try Curl.run(["\(base)/v1/other"])
        #expect(result.status == 404)
        #expect(result.body == #"{"code":"not_found","error":"no route for /v1/other"}"# + "\n")
        #expect(harness.counter("objstream_http_requests_total", "route=\"other\",status=\"404\"") == 1)
    }

    @Test func unknownEndpointAnswers404WithJSON() throws {
        defer { harness.stop() }
        let result = try Curl.run(
            ["-X", "PUT", "--data-binary", "@-", "\(base)/v1/objstream/nobody"], stdin: try probeBody())
        #expect(result.status == 404)
        #expect(result.body == #"{"code":"unknown_endpoint","error":"unknown transport endpoint 'nobody'"}"# + "\n")
    }

    @Test func alreadyClosedEndpointDrainsTheBodyAndAnswers200() throws {
        defer { harness.stop() }
        try harness.endpoints.register("gone", SinkEndpoint())
        try harness.endpoints.unregister("gone")
        var body = try probeBody()
        body += [UInt8](repeating: 0xAB, count: 100_000)  // not even a valid stream: dropped unread
        let response = try harness.put("gone", body)
        #expect(response.status == 200)
        #expect(harness.gateway.alreadyClosedRequests == 1)
        #expect(harness.counter("objstream_rx_sessions_total", "endpoint=\"gone\"") == 0)
        #expect(harness.counter("objstream_http_requests_total", "route=\"objstream\",status=\"200\"") == 1)
    }

    @Test func sessionIDThatIsNotAnInt64Answers400() throws {
        defer { harness.stop() }
        let response = try harness.put("sink", try probeBody(), sessionID: "12abc")
        #expect(response.status == 400)
        #expect(response.body.hasPrefix(#"{"code":"bad_session_id","error":"Ais-Session-Id '12abc'"#))
        #expect(sink.received.objects == 0)
    }

    @Test func contentLengthAndChunkedBodiesBothDeliver() throws {
        defer { harness.stop() }
        var encoder = FrameEncoder()
        let payload = PayloadPattern.bytes(for: "cl", size: 300_000)
        try encoder.appendObject(
            ObjectHeader(bucket: Bucket(name: "b"), objectName: "cl", attributes: ObjectAttributes(size: 300_000)),
            data: payload)
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("sink", chunked: false, contentLength: encoder.bytes.count))
        try client.send(encoder.bytes)
        #expect(try client.readResponse().status == 200)
        #expect(try harness.put("sink", encoder.bytes, chunkSize: 4096).status == 200)
        let curl = try Curl.run(["-X", "PUT", "--data-binary", "@-", "\(base)/v1/objstream/sink"], stdin: encoder.bytes)
        #expect(curl.status == 200)
        #expect(sink.received.objects == 3)
        #expect(sink.received.bytes == 900_000)
    }

    @Test func emptyBodyAndLZ4HeaderOnlyBodyAreCleanEnds() throws {
        defer { harness.stop() }
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("sink", chunked: false, contentLength: 0))
        #expect(try client.readResponse().status == 200)
        #expect(try harness.put("sink", []).status == 200)
        let encoder = try LZ4FrameEncoder()
        var frameHeader: [UInt8] = []
        try encoder.begin { frameHeader += $0 }
        #expect(frameHeader.count == 7)
        #expect(try harness.put("sink", frameHeader, compressed: true).status == 200)
        #expect(sink.received.cleanSessions == 3)
        #expect(sink.received.objects == 0)
    }

    @Test func healthzAndMetricsAnswerWithTheirContentTypes() throws {
        defer { harness.stop() }
        let health = try Curl.run(["\(base)/healthz"])
        #expect(health.status == 200)
        #expect(health.body == #"{"status":"ok"}"# + "\n")
        _ = try harness.put("sink", try probeBody())
        let out = try Curl.run(["-D", "/dev/stdout", "\(base)/metrics"])
        #expect(out.body.lowercased().contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
        #expect(out.body.contains("objstream_rx_objects_total{endpoint=\"sink\"} 1"))
        #expect(out.body.contains("objstream_rx_sessions_active{endpoint=\"sink\"} 0"))
        #expect(out.body.contains("objstream_rx_broken_streams_total{code=\"sbr_hdr_checksum\"} 0"))
    }

    @Test func endpointRegistryReportsDuplicateAndAlreadyRemoved() throws {
        defer { harness.stop() }
        #expect(throws: EndpointError.self) { try harness.endpoints.register("sink", SinkEndpoint()) }
        do {
            try harness.endpoints.register("sink", SinkEndpoint())
        } catch {
            #expect(error.code == .duplicate)
        }
        try harness.endpoints.unregister("sink")
        do {
            try harness.endpoints.unregister("sink")
            Issue.record("second unregister succeeded")
        } catch {
            #expect(error.code == .alreadyRemoved)
        }
        guard case .alreadyClosed = harness.endpoints.lookup("sink") else {
            Issue.record("sink is not already closed")
            return
        }
        for i in 0..<EndpointRegistry.closedMemory {
            try harness.endpoints.register("e\(i)", SinkEndpoint())
            try harness.endpoints.unregister("e\(i)")
        }
        guard case .unknown = harness.endpoints.lookup("sink") else {
            Issue.record("sink still remembered after 32 newer removals")
            return
        }
    }
}
