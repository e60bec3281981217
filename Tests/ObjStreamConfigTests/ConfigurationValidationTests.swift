import Foundation
import ObjStreamConfig
import ObjStreamTestSupport
import Testing

/// Broken configurations: each fails with problems naming the key, the value and what is allowed.
@Suite struct ConfigurationValidationTests {
    private func problems(_ json: String) -> [ConfigProblem] {
        do {
            _ = try ObjStreamConfiguration.parse(Array(json.utf8))
            return []
        } catch {
            return error.problems
        }
    }

    @Test(arguments: [
        (#"{"transport": {"burst_buffer": 5000}}"#, "transport.burst_buffer", "5000", "256..4096"),
        (#"{"transport": {"burst_buffer": 255}}"#, "transport.burst_buffer", "255", "256..4096"),
        (#"{"transport": {"burst_buffer": 1024.5}}"#, "transport.burst_buffer", "1024.5", "256..4096"),
        (#"{"transport": {"burst_buffer": true}}"#, "transport.burst_buffer", "true", "256..4096"),
        (#"{"transport": {"burst_buffer": "1024"}}"#, "transport.burst_buffer", #""1024""#, "256..4096"),
        (#"{"transport": {"max_header": 131073}}"#, "transport.max_header", "131073", "512..131072"),
        (#"{"transport": {"idle_teardown": "500ms"}}"#, "transport.idle_teardown", #""500ms""#, ">= 1s"),
        (#"{"transport": {"idle_teardown": "4 seconds"}}"#, "transport.idle_teardown", #""4 seconds""#, "duration"),
        (#"{"transport": {"idle_teardown": 4}}"#, "transport.idle_teardown", "4", "duration"),
        (#"{"transport": {"quiescent": "7s"}}"#, "transport.quiescent", #""7s""#, ">= 8s"),
        (#"{"transport": {"lz4_block": "128KiB"}}"#, "transport.lz4_block", #""128KiB""#, "64KiB, 256KiB, 1MiB, 4MiB"),
        (#"{"transport": {"lz4_frame_checksum": 1}}"#, "transport.lz4_frame_checksum", "1", "true or false"),
        (#"{"transport": {"lz4_frame_checksum": "false"}}"#, "transport.lz4_frame_checksum", #""false""#, "true or false"),
        (#"{"transport": {"burst": 1024}}"#, "transport.burst", "1024", "unknown key"),
        (#"{"listen_address": "127.0.0.1:80"}"#, "listen_address", #""127.0.0.1:80""#, "unknown key"),
        (#"{"listen": "127.0.0.1"}"#, "listen", #""127.0.0.1""#, "host:port"),
        (#"{"listen": "127.0.0.1:70000"}"#, "listen", #""127.0.0.1:70000""#, "0..65535"),
        (#"{"listen": 9080}"#, "listen", "9080", "host:port"),
        (#"{"log_level": "verbose"}"#, "log_level", #""verbose""#, "debug, info, warning, error"),
        (#"{"signing": "on"}"#, "signing", #""on""#, "off, permissive, strict"),
        (#"{"signing": true}"#, "signing", "true", "off, permissive, strict"),
        (#"{"store_dir": ""}"#, "store_dir", #""""#, "non-empty"),
        (#"{"store_sync": "always"}"#, "store_sync", #""always""#, "none, object, request"),
        (#"{"store_sync": true}"#, "store_sync", "true", "none, object, request"),
        (#"{"endpoints": {"name": "a"}}"#, "endpoints", #"{"name":"a"}"#, "array"),
        (#"{"endpoints": [{"name": "a/b", "action": "sink"}]}"#, "endpoints[0].name", #""a/b""#, #"must not contain "/""#),
        (#"{"endpoints": [{"name": "", "action": "sink"}]}"#, "endpoints[0].name", #""""#, "non-empty"),
        (#"{"endpoints": [{"name": "a", "action": "drop"}]}"#, "endpoints[0].action", #""drop""#, "sink, store"),
        (#"{"endpoints": [{"name": "a"}]}"#, "endpoints[0].action", "null", "required"),
        (#"{"endpoints": [{"name": "a", "action": "sink", "mode": 1}]}"#, "endpoints[0].mode", "1", "unknown key"),
        (#"{"gateway": {"max_connections": 0}}"#, "gateway.max_connections", "0", "1..65536"),
        (#"{"gateway": {"connection_memory_limit": "1KiB"}}"#, "gateway.connection_memory_limit", #""1KiB""#, "4KiB..64MiB"),
        (#"{"gateway": {"grace_period": "1h"}}"#, "gateway.grace_period", #""1h""#, "0s..10m"),
        (#"{"sender": {"chunk_size": "32MiB"}}"#, "sender.chunk_size", #""32MiB""#, "4KiB..16MiB"),
        (#"{"sender": {"pdu_size": 16}}"#, "sender.pdu_size", "16", "0 (no PDUs) or 32..131072"),
        (#"{"sender": {"compression": "lz4"}}"#, "sender.compression", #""lz4""#, "never, always"),
        (#"{"sender": {"connect_timeout": "10ms"}}"#, "sender.connect_timeout", #""10ms""#, "100ms..5m"),
        (#"{"sender": {"write_timeout": "500ms"}}"#, "sender.write_timeout", #""500ms""#, "0s (never) or 1s..1h"),
        (#"{"sender": {"write_timeout": "2h"}}"#, "sender.write_timeout", #""2h""#, "0s (never) or 1s..1h"),
        (#"{"sender": {"write_timeout": 30}}"#, "sender.write_timeout", "30", "duration"),
        (#"{"sender": []}"#, "sender", "[]", "must be an object"),
    ])
    func brokenValueIsReportedWithKeyValueAndRange(json: String, key: String, value: String, allowed: String) {
        let found = problems(json)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.key == key)
        #expect(found.first?.value == value)
        #expect(found.first?.message.contains(allowed) == true, "\(found.first?.message ?? "")")
    }

    @Test func duplicateEndpointNamesAreReportedWithTheFirstIndex() {
        let found = problems(#"{"endpoints": [{"name": "a", "action": "sink"}, {"name": "b", "action": "sink"}, {"name": "a", "action": "store"}]}"#)
        #expect(found == [ConfigProblem(key: "endpoints[2].name", value: #""a""#, message: "duplicate endpoint name (also endpoints[0])")])
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let json = """
            {"listen": "nowhere", "colour": "blue",
             "transport": {"burst_buffer": 99999, "idle_teardown": "4x", "lz4_block": "100KiB"},
             "sender": {"pdu_size": 200000, "tcp_nodelay": "yes"}}
            """
        let error = try #require(throws: ConfigError.self) { try ObjStreamConfiguration.parse(Array(json.utf8)) }
        #expect(error.code == .invalid)
        #expect(error.problems.map(\.key) == [
            "colour", "listen", "transport.burst_buffer", "transport.idle_teardown", "transport.lz4_block",
            "sender.tcp_nodelay", "sender.pdu_size",
        ])
        #expect(error.description.split(separator: "\n").count == 7)
        #expect(error.description.contains(#"transport.burst_buffer: 99999: must be an integer in 256..4096"#))
    }

    @Test func malformedJSONIsReportedWithItsCode() throws {
        let error = try #require(throws: ConfigError.self) { try ObjStreamConfiguration.parse(Array(#"{"listen": "#.utf8)) }
        #expect(error.code == .malformedJSON)
        #expect(error.problems.count == 1)
        #expect(error.problems[0].message.hasPrefix("not valid JSON"))
        #expect(error.cause != nil)
    }

    @Test func topLevelArrayIsRejected() throws {
        let error = try #require(throws: ConfigError.self) { try ObjStreamConfiguration.parse(Array("[1]".utf8)) }
        #expect(error.code == .malformedJSON)
        #expect(error.problems == [ConfigProblem(key: "(document)", value: "[1]", message: "must be a JSON object")])
    }

    @Test func missingFileIsUnreadableAndNamesThePath() throws {
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("absent.json").path
        let error = try #require(throws: ConfigError.self) { try ObjStreamConfiguration.load(contentsOf: path) }
        #expect(error.code == .unreadable)
        #expect(error.problems.first?.key == "file")
        #expect(error.problems.first?.value == "\"\(path)\"")
    }
}
