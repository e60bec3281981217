import ObjStreamConfig
import ObjStreamSend
import Testing

/// Stream options follow the `transport` and `sender` sections of the configuration.
@Suite struct StreamOptionsConfigurationTests {
    @Test func optionsComeFromTheConfiguration() throws {
        let json = """
            {"transport": {"max_header": 8192, "burst_buffer": 512, "idle_teardown": "2s", "lz4_block": "1MiB",
                           "lz4_frame_checksum": true},
             "sender": {"connect_timeout": "1s", "retry_window": "5s", "write_timeout": "45s", "tcp_nodelay": false,
                        "send_buffer": "1MiB",
                        "chunk_size": "256KiB", "pdu_size": "64KiB", "compression": "always"}}
            """
        let options = StreamOptions(configuration: try ObjStreamConfiguration.parse(Array(json.utf8)))
        #expect(options.maxHeaderSize == 8192 && options.burst == 512 && options.idleTeardown == .seconds(2))
        #expect(options.lz4Block == .mib1 && options.lz4ContentChecksum)
        #expect(options.connectTimeout == .seconds(1) && options.retryWindow == .seconds(5) && !options.tcpNoDelay)
        #expect(options.writeTimeout == .seconds(45))
        #expect(options.sendBuffer == 1 << 20 && options.chunkSize == 256 << 10 && options.pduSize == 64 << 10)
        #expect(options.compressed)
        let defaults = StreamOptions(configuration: ObjStreamConfiguration())
        #expect(defaults.burst == 1024 && defaults.chunkSize == 1 << 20 && defaults.pduSize == 0 && !defaults.compressed)
        #expect(defaults.retryWindow == .seconds(10) && defaults.maxHeaderSize == 4096)
        #expect(defaults.writeTimeout == .seconds(30))
    }

    @Test func aZeroWriteTimeoutMeansWritesNeverTimeOut() throws {
        let c = try ObjStreamConfiguration.parse(Array(#"{"sender": {"write_timeout": "0s"}}"#.utf8))
        #expect(c.sender.writeTimeout == .zero)
        #expect(StreamOptions(configuration: c).writeTimeout == .zero)
        #expect(c.json().contains(#""write_timeout": "0s""#))
    }
}
