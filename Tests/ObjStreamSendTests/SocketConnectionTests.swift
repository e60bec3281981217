import Foundation
import ObjStreamTestSupport
import Testing

@testable import ObjStreamSend

#if canImport(Glibc)
import Glibc
#endif

/// The connection's descriptor: shut down before it is closed, and never shut down after
/// (when its number may belong to another file already).
@Suite struct SocketConnectionTests {
    @Test func shutdownAfterCloseLeavesTheFileThatReusedTheDescriptorAlone() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        var options = StreamOptions()
        options.connectTimeout = .seconds(30)
        // Another thread of the test process may take the freed number first: try until it is ours.
        var proven = false
        for _ in 0..<50 where !proven {
            var pair: [Int32] = [-1, -1]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
            defer { close(pair[0]); close(pair[1]) }
            let connection = try SocketConnection.connect(to: try EndpointURL(server.url("fd")), options: options)
            let number = connection.descriptor
            connection.close()
            // The lowest free number at or above the old one: the old one, unless taken meanwhile.
            let reused = fcntl(pair[0], F_DUPFD_CLOEXEC, number)
            defer { close(reused) }
            guard reused == number else { continue }
            // What stop() does from another thread when it finds the connection late.
            connection.shutdown()
            var byte: UInt8 = 42
            #expect(send(pair[1], &byte, 1, Int32(MSG_NOSIGNAL)) == 1)
            var got: UInt8 = 0
            #expect(recv(reused, &got, 1, 0) == 1 && got == 42, "the reused descriptor was shut down")
            proven = true
        }
        #expect(proven)
    }

    @Test func closeShutsTheConnectionDownSoThePeerSeesTheEnd() throws {
        let holding = try LoopbackSocket(.holding)
        defer { holding.close() }
        var options = StreamOptions()
        options.connectTimeout = .seconds(30)
        let connection = try SocketConnection.connect(
            to: try EndpointURL("http://127.0.0.1:\(holding.port)/v1/objstream/x"), options: options)
        // A duplicate keeps the socket open after close(): only a shutdown ends the connection.
        let duplicate = dup(connection.descriptor)
        defer { close(duplicate) }
        connection.close()
        var byte: UInt8 = 1
        #expect(send(duplicate, &byte, 1, Int32(MSG_NOSIGNAL)) == -1 && errno == EPIPE)
    }
}
