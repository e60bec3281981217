import ObjStreamWire
import Synchronization
import Testing

/// Wire text in log lines: no sender can end a line, quote its way out of a field or hide text.
@Suite struct LogEscapingTests {
    @Test(arguments: [
        ("plain", "plain"), ("a\"b", #"a\"b"#), (#"back\slash"#, #"back\\slash"#), ("two\nlines", #"two\nlines"#),
        ("cr\r", #"cr\r"#), ("tab\t", #"tab\t"#), ("nul\u{0}", #"nul\x00"#), ("esc\u{1B}[31m", #"esc\x1B[31m"#),
        ("del\u{7F}", #"del\x7F"#), ("c1\u{85}", #"c1\u{0085}"#), ("ls\u{2028}ps\u{2029}", #"ls\u{2028}ps\u{2029}"#),
        ("rlo\u{202E}txt", #"rlo\u{202E}txt"#), ("bom\u{FEFF}", #"bom\u{FEFF}"#), ("üñí©ødé", "üñí©ødé"),
    ])
    func escapeLeavesNoRawControlQuoteOrSeparator(text: String, escaped: String) {
        #expect(LogEscaping.escape(text) == escaped)
        #expect(!LogEscaping.escape(text).unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" })
    }

    @Test func controlsKeepsQuotesAndBackslashesAndEscapesWhatCouldEndALine() {
        let message = #"refused "a\b": "# + "x\ny\u{1B}[2J\u{2028}"
        #expect(LogEscaping.controls(message) == #"refused "a\b": x\ny\x1B[2J\u{2028}"#)
        #expect(LogEscaping.controls("plain \"quoted\"") == "plain \"quoted\"")
    }

    @Test(arguments: [
        ("node-7", "node-7"), ("ais://@uuid#ns/b", "ais://@uuid#ns/b"), ("127.0.0.1:80", "127.0.0.1:80"),
        ("[::1]:80", "[::1]:80"), ("", #""""#), ("a b", #""a b""#), ("k=v", #""k=v""#), ("x\nresult=ok", #""x\nresult=ok""#),
        ("é", #""é""#),
    ])
    func fieldsAreBareOnlyWhenTheyCannotEndOrStartAField(text: String, field: String) {
        #expect(LogEscaping.field(text) == field)
    }

    @Test func rateLimitedLogPassesTheLimitPerIntervalAndReportsTheRest() {
        let now = Mutex(ContinuousClock.now)
        let lines = Mutex<[String]>([])
        let log = RateLimitedLog(
            "refused-object", limit: 3, per: .seconds(1), clock: { now.withLock { $0 } },
            sink: { line in lines.withLock { $0.append(line) } })
        for i in 0..<10 { log("line \(i)") }
        #expect(lines.withLock { $0 } == ["line 0", "line 1", "line 2"])
        #expect(log.suppressedCount == 7)
        log.flush(onlyAfterInterval: true)
        #expect(lines.withLock { $0.count } == 3, "the interval is not over")
        now.withLock { $0 += .seconds(1) }
        log("line 10")
        #expect(lines.withLock { Array($0.dropFirst(3)) } == [
            "objstream: suppressed 7 refused-object log lines (more than 3 in 1.0 seconds)", "line 10",
        ])
        log("line 11")
        log("line 12")
        log("line 13")
        log.flush()
        #expect(lines.withLock { Array($0.suffix(3)) } == [
            "line 11", "line 12", "objstream: suppressed 1 refused-object log line (more than 3 in 1.0 seconds)",
        ])
        #expect(log.suppressedCount == 0)
    }
}
