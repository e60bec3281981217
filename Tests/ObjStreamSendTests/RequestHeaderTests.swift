import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// What goes into the request line and the headers of a stream request cannot carry CR, LF,
/// NUL or another control byte: such a sender id, host or endpoint path is refused when the
/// stream is made, naming the field, and nothing is sent.
@Suite struct RequestHeaderTests {
    static let controlBytes = ["\r\nAis-Evil: 1", "\n", "\r", "\0", "\u{7}", "\u{7f}"]

    @Test(arguments: controlBytes)
    func aSenderIDWithAControlByteIsRefusedAsInvalidOptions(bytes: String) {
        #expect {
            _ = try ObjStream(
                url: "http://127.0.0.1:9/v1/objstream/x", options: TestObjects.options { $0.senderID = "node\(bytes)a" })
        } throws: { error in
            let e = error as? SendError
            return e?.code == .invalidOptions && e?.message.contains("sender id") == true
                && e?.message.contains("Ais-Caller-Id") == true && e?.message.contains("\r") == false
                && e?.message.contains("\n") == false
        }
    }

    @Test(arguments: controlBytes)
    func anEndpointPathOrHostWithAControlByteIsRefusedAsInvalidURL(bytes: String) {
        for (url, field) in [
            ("http://127.0.0.1:9/v1/objstream/x\(bytes)y", "path"), ("http://node\(bytes)b:9/v1/objstream/x", "host"),
        ] {
            #expect {
                _ = try ObjStream(url: url, options: TestObjects.options())
            } throws: { error in
                let e = error as? SendError
                return e?.code == .invalidURL && e?.message.contains("\(field) ") == true
                    && e?.message.contains("control byte") == true && e?.message.contains("\n") == false
            }
        }
    }

    @Test func anEndpointPathWithASpaceIsRefusedAsInvalidURL() {
        #expect {
            _ = try ObjStream(url: "http://127.0.0.1:9/v1/objstream/a b", options: TestObjects.options())
        } throws: { error in
            let e = error as? SendError
            return e?.code == .invalidURL && e?.message.contains("space") == true
        }
    }

    @Test func theCommandLineRefusesASenderIDWithAControlByteWithExitTwo() throws {
        let result = try ChildProcess.run(
            TestPaths.objstreamBinary.path,
            ["send", "http://127.0.0.1:9/v1/objstream/x", "--synthetic", "1", "--size", "1", "--sender", "tx\r\nAis-Evil: 1"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("invalid_options: sender id \"tx\\r\\nAis-Evil: 1\" contains the control byte 0x0D"), "\(result.stderr)")
    }

    @Test func senderIDsHostsAndPathsWithoutControlBytesStillGoIntoTheRequest() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("ünïcode-ok"), options: TestObjects.options { $0.senderID = "node-a:1 (rack 2)" })
        try stream.send(.bytes(ObjectHeader(objectName: "x"), [1]))
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.requests.first?.header("Ais-Caller-Id") == "node-a:1 (rack 2)")
        #expect(server.requests.first?.requestLine == "PUT /v1/objstream/ünïcode-ok HTTP/1.1")
    }
}
