/// The one-line JSON bodies of the gateway's responses.
enum JSONBody {
    /// `{"code":"...","error":"..."}`.
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: What went wrong.
    /// - Returns: The body, newline-terminated.
    static func error(code: String, message: String) -> String {
        "{\"code\":\"\(escape(code))\",\"error\":\"\(escape(message))\"}\n"
    }

    /// Escapes a string for a JSON string literal.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
