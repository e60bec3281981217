import Foundation

/// The one-line JSON bodies of the gateway's responses.
enum JSONBody {
    /// The fields of an error body, in the order they are written.
    private struct ErrorFields: Encodable {
        var code: String
        var error: String
    }

    /// `{"code":"...","error":"..."}`.
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: What went wrong.
    /// - Returns: The body, newline-terminated.
    static func error(code: String, message: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(ErrorFields(code: code, error: message)) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
