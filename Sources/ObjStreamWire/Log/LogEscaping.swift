/// Text that came off the wire (object names, buckets, sender ids, endpoint names, error
/// messages that quote them), made safe for a log line: the one escaping of the receive side.
///
/// A sender must not be able to forge a log line: no raw newline, carriage return, quote,
/// backslash, control byte (C0, DEL, C1), Unicode line or paragraph separator, or
/// bidirectional override reaches the log. ``escape(_:)`` does the escaping; ``field(_:)``
/// and ``quoted(_:)`` put its result into `key=value` lines.
public enum LogEscaping {
    /// Escapes text for use inside double quotes: `\` as `\\`, `"` as `\"`, newline, return
    /// and tab as `\n`, `\r`, `\t`, other control bytes as `\xNN`, and C1 controls, line and
    /// paragraph separators, bidirectional controls and the byte-order mark as `\u{NNNN}`.
    /// Everything else is kept as it is.
    /// - Parameter text: The text, as it came off the wire.
    /// - Returns: The escaped text, one line, without the quotes.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x80: out += "\\x" + hex(scalar.value, digits: 2)
            default: out += "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
        }
        return out
    }

    /// Escapes only what could end or rewrite a line (control bytes, line and paragraph
    /// separators, bidirectional controls, as ``escape(_:)`` writes them), keeping quotes and
    /// backslashes: for messages of our own whose wire parts are already quoted, and for what
    /// a receiver answered.
    /// - Parameter text: The message.
    /// - Returns: The message, one line.
    public static func controls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) && $0 != "\\" && $0 != "\"" }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "\"" || !needsEscape(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += escape(String(scalar))
            }
        }
        return out
    }

    /// Text as a quoted log value: `"` + ``escape(_:)`` + `"`.
    /// - Parameter text: The text, as it came off the wire.
    /// - Returns: The quoted value.
    public static func quoted(_ text: String) -> String { "\"" + escape(text) + "\"" }

    /// Text as the value of a `key=value` field: bare when it is non-empty and made only of
    /// ASCII letters, digits and `-._:/@+#[]~,%`, else ``quoted(_:)``, so that a value can
    /// never end its field early or start another.
    /// - Parameter text: The text, as it came off the wire.
    /// - Returns: The field value.
    public static func field(_ text: String) -> String {
        !text.isEmpty && text.utf8.allSatisfy(isBare) ? text : quoted(text)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x22, 0x5C, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    private static func isBare(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "-._:/@+#[]~,%".utf8.contains(byte)
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
