import Foundation
import ObjStreamWire

/// The one-line JSON bodies of the gateway's responses.
enum JSONBody {
    /// The fields of an error body, in the order they are written.
    private struct ErrorFields: Encodable {
        var code: String
        var error: String
        var objects: Int?
        var bytes: Int64?
    }

    /// `{"code":"...","error":"..."}`.
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: What went wrong.
    /// - Returns: The body, newline-terminated.
    ///   - objects: For a stream, the data objects taken before the failure.
    ///   - bytes: For a stream, their bytes.
    static func error(code: String, message: String, objects: Int? = nil, bytes: Int64? = nil) -> String {
        line(ErrorFields(code: code, error: message, objects: objects, bytes: bytes))
    }

    /// A stream's receipt, `{"bytes":B,"objects":N,"refused":[...]}`.
    /// - Parameter receipt: What the session took and refused.
    /// - Returns: The body, newline-terminated.
    static func receipt(_ receipt: DeliveryReceipt) -> String { line(receipt) }

    private static func line(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
