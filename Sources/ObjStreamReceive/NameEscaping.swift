/// How the store writes names that are bytes (object names need not be UTF-8) as text: in
/// log lines, and in `objstream store ls`.
///
/// The quoted form is `"` + the name + `"`, where `\` is `\\`, `"` is `\"`, newline, tab and
/// carriage return are `\n`, `\t`, `\r`, and each byte of any other control character (C0,
/// DEL, C1), of U+2028 and U+2029, and every byte that is not part of valid UTF-8 is `\xNN`
/// (two lowercase hex digits); everything else is itself. The listed form is the name as it
/// is when that is unambiguous and printable, else the quoted form: a listed name that starts
/// with `"` is always quoted, so ``bytes(ofListed:)`` reverses ``listed(_:)`` exactly.
public enum NameEscaping {
    /// The quoted form: for log lines, never with a raw newline, quote or control byte.
    /// - Parameter bytes: The name.
    /// - Returns: `"..."` with the escapes above.
    public static func quoted(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = "\""
        var i = 0
        while i < bytes.count {
            // A fresh parser at each position: an invalid sequence's length says which bytes to escape.
            var input = bytes[i...].makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            switch parser.parseScalar(from: &input) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if isPrintable(scalar) {
                        out.unicodeScalars.append(scalar)
                    } else {
                        for byte in encoded { out += hex(byte) }
                    }
                }
                i += encoded.count
            case .error(let length):
                for byte in bytes[i..<i + length] { out += hex(byte) }
                i += length
            case .emptyInput:
                i = bytes.count
            }
        }
        return out + "\""
    }

    /// The listed form: the name itself when it is valid UTF-8 without control characters and does
    /// not start with `"`, else the quoted form.
    /// - Parameter bytes: The name.
    /// - Returns: The text `objstream store ls` prints.
    public static func listed(_ bytes: [UInt8]) -> String {
        if bytes.first != UInt8(ascii: "\""), let text = String(validating: bytes, as: UTF8.self),
            text.unicodeScalars.allSatisfy(isPrintable)
        {
            return text
        }
        return quoted(bytes)
    }

    /// The name a listed form stands for: the inverse of ``listed(_:)`` (and of ``quoted(_:)``).
    /// - Parameter text: A listed or quoted name.
    /// - Returns: The name's bytes, or nil for a quoted form with an unknown escape or no closing quote.
    public static func bytes(ofListed text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.first == UInt8(ascii: "\"") else { return utf8 }
        guard utf8.count >= 2, utf8.last == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var i = 1
        let end = utf8.count - 1
        while i < end {
            let byte = utf8[i]
            if byte == UInt8(ascii: "\"") { return nil }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < end else { return nil }
            switch utf8[i + 1] {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "x"):
                guard i + 3 < end, let high = hexValue(utf8[i + 2]), let low = hexValue(utf8[i + 3])
                else { return nil }
                out.append(high << 4 | low)
                i += 4
                continue
            default: return nil
            }
            i += 2
        }
        return out
    }

    /// Whether a scalar is shown as itself: not a control character (C0, DEL, C1) nor a line or
    /// paragraph separator.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029: false
        default: true
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xf)])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
