import Foundation

/// Base64 URL-safe without padding (RFC 4648 section 5), the form of keys and signatures on the wire.
public enum Base64URL {
    /// Encodes bytes.
    /// - Parameter bytes: Any bytes.
    /// - Returns: The text, `-` and `_` in place of `+` and `/`, no `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.last == "=" { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// Decodes text.
    /// - Parameter text: Base64 URL-safe without padding; `+`, `/`, `=` and whitespace are refused.
    /// - Returns: The bytes, or nil when `text` is not in that form.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({ byte in
                (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        let bytes = [UInt8](data)
        // Refuse non-canonical text (unused bits set in the last character): one text per key.
        guard encode(bytes) == text else { return nil }
        return bytes
    }
}
