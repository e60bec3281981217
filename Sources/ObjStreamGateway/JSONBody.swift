import ObjStreamConfig

/// The one-line JSON bodies of the gateway's responses.
enum JSONBody {
    /// `{"code":"...","error":"..."}`.
    /// - Parameters:
    ///   - code: The error code.
    ///   - message: What went wrong.
    /// - Returns: The body, newline-terminated.
    static func error(code: String, message: String) -> String {
        "{\"code\":\(JSONString.quote(code)),\"error\":\(JSONString.quote(message))}\n"
    }
}
