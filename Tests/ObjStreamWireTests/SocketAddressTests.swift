import ObjStreamTestSupport
import ObjStreamWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Listen hosts become socket addresses one way, for `config check` and every listener.
@Suite struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1:9080"), ("0.0.0.0", "0.0.0.0:9080"), ("::1", "[::1]:9080"), ("::", "[::]:9080"),
        ("0:0:0:0:0:0:0:1", "[::1]:9080"), ("::ffff:10.1.2.3", "[::ffff:10.1.2.3]:9080"), ("localhost", "127.0.0.1:9080"),
        ("LocalHost", "127.0.0.1:9080"),
    ])
    func hostsResolveToAddresses(host: String, expected: String) throws {
        let address = try SocketAddress.resolve(host: host, port: 9080)
        #expect(address.description == expected)
        #expect(address.port == 9080)
        #expect(address.with(port: 7).port == 7)
    }

    @Test(arguments: ["1.2.3", "127.1", "256.0.0.1", "01.2.3.4", "1.2.3.4.5", "::1::", "fe80::1%lo", "12345::1"])
    func malformedLiteralsAreBadAddressesNotNames(host: String) {
        #expect {
            try SocketAddress.resolve(host: host, port: 1)
        } throws: { ($0 as? SocketAddressError)?.code == .badAddress }
    }

    @Test func aNameThatDoesNotResolveIsUnresolved() {
        #expect {
            try SocketAddress.resolve(host: "no-such-host.invalid", port: 1)
        } throws: { ($0 as? SocketAddressError)?.code == .unresolved }
    }

    @Test func unspecifiedAndMappedAddressesAreRecognized() throws {
        #expect(try SocketAddress.resolve(host: "::", port: 0).isUnspecified)
        #expect(try SocketAddress.resolve(host: "0.0.0.0", port: 0).isUnspecified)
        #expect(!(try SocketAddress.resolve(host: "::1", port: 0).isUnspecified))
        let mapped = try SocketAddress.resolve(host: "::ffff:127.0.0.1", port: 0)
        #expect(mapped.isIPv4Mapped && mapped.family == .ipv6)
        #expect(mapped.addressBytes == [127, 0, 0, 1], "one peer is one peer whichever way it came")
        #expect(try SocketAddress.resolve(host: "127.0.0.1", port: 0).addressBytes == [127, 0, 0, 1])
    }

    @Test func aSocketOnTheIPv6UnspecifiedAddressIsDualStack() throws {
        let fd = try ListeningSocket.open(try SocketAddress.resolve(host: "::", port: 0))
        defer { close(fd) }
        let bound = try #require(ListeningSocket.boundAddress(fd))
        #expect(bound.family == .ipv6 && bound.port != 0)
        let client = try LoopbackTCP.connect(port: bound.port)
        close(client)
    }

    @Test func probingBindsPortZeroAndReportsAnAddressThatIsNotLocal() throws {
        try ListeningSocket.probe(try SocketAddress.resolve(host: "127.0.0.1", port: 80))
        #expect { try ListeningSocket.probe(try SocketAddress.resolve(host: "192.0.2.1", port: 0)) } throws: { _ in true }
    }
}
