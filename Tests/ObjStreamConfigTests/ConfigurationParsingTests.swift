import Foundation
import ObjStreamCluster
import ObjStreamConfig
import ObjStreamReceive
import ObjStreamTestSupport
import Testing

/// The shipped config, defaults, round trips and the value syntaxes.
@Suite struct ConfigurationParsingTests {
    private static let shippedPath = TestPaths.packageRoot.appendingPathComponent("config/objstream.json").path

    @Test func shippedConfigParsesToTheDefaults() throws {
        let loaded = try ObjStreamConfiguration.load(contentsOf: Self.shippedPath)
        #expect(loaded == ObjStreamConfiguration())
        #expect(loaded.listen == ListenAddress(host: "127.0.0.1", port: 9080))
        #expect(loaded.endpoints == [.init(name: "default", action: .sink), .init(name: "store", action: .store)])
        #expect(loaded.transport.lz4Block == 262_144)
        #expect(loaded.transport.idleTeardown == .seconds(4))
        #expect(loaded.gateway.connectionTimeout == .seconds(120))
        #expect(loaded.sender.sendBuffer == 4_194_304)
        #expect(loaded.sender.tcpNoDelay == true)
        #expect(loaded.storeSync == .request)
        #expect(loaded.signing == .off)
    }

    @Test func printedDefaultsAreTheShippedFileByteForByte() throws {
        let shipped = try String(contentsOfFile: Self.shippedPath, encoding: .utf8)
        #expect(ObjStreamConfiguration().json() == shipped)
    }

    @Test func printedConfigurationParsesBackToAnEqualValue() throws {
        var c = ObjStreamConfiguration()
        c.listen = ListenAddress(host: "::1", port: 0)
        c.storeDirectory = "/var/lib/obj \"store\"\\x"
        c.storeSync = .object
        c.logLevel = .debug
        c.signing = .strict
        c.endpoints = [.init(name: "a b", action: .store)]
        c.transport.maxHeader = 131_072
        c.transport.burstBuffer = 256
        c.transport.idleTeardown = .milliseconds(1500)
        c.transport.quiescent = .seconds(3600)
        c.transport.lz4Block = 4 << 20
        c.transport.lz4FrameChecksum = true
        c.gateway.connectionMemoryLimit = 12_345
        c.gateway.connectionTimeout = .zero
        c.gateway.maxConnections = 1
        c.gateway.gracePeriod = .microseconds(7)
        c.sender.connectTimeout = .milliseconds(100)
        c.sender.retryWindow = .zero
        c.sender.writeTimeout = .seconds(90)
        c.sender.tcpNoDelay = false
        c.sender.sendBuffer = 0
        c.sender.chunkSize = 16 << 20
        c.sender.pduSize = 32
        c.sender.compression = .always
        let text = c.json()
        #expect(text.contains(#""listen": "[::1]:0""#))
        #expect(text.contains(#""idle_teardown": "1500ms""#))
        #expect(text.contains(#""store_sync": "object""#))
        #expect(text.contains(#""signing": "strict""#))
        #expect(text.contains(#""connection_memory_limit": "12345B""#))
        #expect(try ObjStreamConfiguration.parse(Array(text.utf8)) == c)
    }

    @Test(arguments: SigningMode.allCases)
    func theSigningKeyTakesEachMode(mode: SigningMode) throws {
        let c = try ObjStreamConfiguration.parse(Array(#"{"signing": "\#(mode.rawValue)"}"#.utf8))
        var expected = ObjStreamConfiguration()
        expected.signing = mode
        #expect(c == expected)
    }

    @Test func emptyObjectKeepsEveryDefault() throws {
        #expect(try ObjStreamConfiguration.parse(Array("{}".utf8)) == ObjStreamConfiguration())
    }

    @Test func partialSectionsOverrideOnlyTheirKeys() throws {
        let c = try ObjStreamConfiguration.parse(Array(#"{"transport": {"burst_buffer": 4096}, "sender": {"pdu_size": "128KiB"}}"#.utf8))
        var expected = ObjStreamConfiguration()
        expected.transport.burstBuffer = 4096
        expected.sender.pduSize = 131_072
        #expect(c == expected)
    }

    @Test(arguments: [("2s", 10), ("5s", 10), ("7s", 14), ("1m", 120)])
    func unsetQuiescentFollowsIdleTeardown(idle: String, quiescentSeconds: Int64) throws {
        let c = try ObjStreamConfiguration.parse(Array(#"{"transport": {"idle_teardown": "\#(idle)"}}"#.utf8))
        #expect(c.transport.quiescent == .seconds(quiescentSeconds))
        let explicit = try ObjStreamConfiguration.parse(Array(#"{"transport": {"idle_teardown": "\#(idle)", "quiescent": "9s"}}"#.utf8))
        #expect(explicit.transport.quiescent == .seconds(9))
    }

    @Test(arguments: [
        ("0", 0), ("4096", 4096), ("512B", 512), ("64KiB", 65_536), ("1MiB", 1_048_576), ("2GiB", 2_147_483_648),
    ])
    func sizesParseWithBinaryUnits(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "KiB", "4KB", "4 KiB", "-1", "1.5MiB", "4kib", "99999999999999999999", "9999999999999GiB"])
    func malformedSizesAreRejected(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("4s", .seconds(4)), ("2m", .seconds(120)), ("1m30s", .seconds(90)),
        ("1.5h", .seconds(5400)), ("250us", .microseconds(250)), ("7ns", .nanoseconds(7)), ("0s", .zero), (".5s", .milliseconds(500)),
    ])
    func durationsParseGoStyle(text: String, duration: Duration) {
        #expect(DurationFormat.parse(text) == duration)
    }

    @Test(arguments: ["", "4", "s", "4 s", "-1s", "4sec", "1d", "1..5s", "9999999999999h", "2562047h47m16.854775808s", "2562047h48m"])
    func malformedDurationsAreRejected(text: String) {
        #expect(DurationFormat.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(120), "120s"), (.milliseconds(1500), "1500ms"), (.zero, "0s"), (.microseconds(3), "3us"),
        (.nanoseconds(1_000_000_001), "1000000001ns"),
    ])
    func durationsFormatInSecondsWhenWhole(duration: Duration, text: String) {
        #expect(DurationFormat.format(duration) == text)
    }

    @Test(arguments: [
        ("127.0.0.1:9080", "127.0.0.1", 9080), ("0.0.0.0:0", "0.0.0.0", 0), ("[::1]:65535", "::1", 65535),
        ("localhost:80", "localhost", 80), ("gw-1.example.org:9", "gw-1.example.org", 9),
    ])
    func listenAddressesParseHostAndPort(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(text))
        #expect(address.host == host)
        #expect(Int(address.port) == port)
        #expect(address.description == text)
    }

    @Test(arguments: ["127.0.0.1", ":9080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "host:abc", "::1:80", "[::1]80", "a b:80", "[]:80"])
    func malformedListenAddressesAreRejected(text: String) {
        #expect(ListenAddress(text) == nil)
    }
}

/// The `tls` section: null or absent is plain TCP; cert and key are required paths; client_ca
/// and priorities are null or non-empty strings; every problem names its key.
@Suite struct TLSSectionParsingTests {
    private func parse(_ json: String) throws -> ObjStreamConfiguration {
        try ObjStreamConfiguration.parse(Array(json.utf8))
    }

    private func problems(_ json: String) -> [ConfigProblem] {
        let parsed = Result { () throws(ConfigError) in try ObjStreamConfiguration.parse(Array(json.utf8)) }
        guard case .failure(let error) = parsed else { return [] }
        return error.problems
    }

    @Test func absentOrNullTLSMeansPlainTCP() throws {
        #expect(try parse("{}").tls == nil)
        #expect(try parse(#"{"tls": null}"#).tls == nil)
    }

    @Test func tlsSectionParsesAndPrintsBackToAnEqualValue() throws {
        let parsed = try parse(
            #"{"tls": {"cert": "/etc/o/gw.pem", "key": "/etc/o/gw.key", "client_ca": "/etc/o/ca.pem", "priorities": "SECURE256"}}"#)
        #expect(parsed.tls == TLSConfiguration(cert: "/etc/o/gw.pem", key: "/etc/o/gw.key", clientCA: "/etc/o/ca.pem", priorities: "SECURE256"))
        #expect(try parse(parsed.json()) == parsed)
        let minimal = try parse(#"{"tls": {"cert": "c.pem", "key": "k.pem", "client_ca": null}}"#)
        #expect(minimal.tls == TLSConfiguration(cert: "c.pem", key: "k.pem"))
        #expect(minimal.json().contains(#""client_ca": null"#))
        #expect(try parse(minimal.json()) == minimal)
    }

    @Test func tlsProblemsNameTheKey() {
        #expect(problems(#"{"tls": {}}"#).map(\.description) == [
            "tls.cert: null: is required: the PEM certificate file", "tls.key: null: is required: the PEM private key file",
        ])
        #expect(problems(#"{"tls": {"cert": "", "key": 3, "client_ca": "", "priorities": false, "ca": "x"}}"#).map(\.description) == [
            #"tls.ca: "x": unknown key (known: cert, key, client_ca, priorities)"#,
            #"tls.cert: "": must be a non-empty path"#,
            "tls.key: 3: must be a non-empty path",
            #"tls.client_ca: "": must be null (no client certificates) or a non-empty path"#,
            "tls.priorities: false: must be null (NORMAL) or a non-empty GnuTLS priority string",
        ])
        #expect(problems(#"{"tls": "on"}"#).map(\.key) == ["tls"])
    }
}
