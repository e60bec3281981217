import ObjStreamWire

/// Where the file store puts an object: `<provider>/<namespace>/<bucket>/<object>`,
/// or why it refuses to.
///
/// The global namespace is the folder ``globalNamespace`` (`@global`); any other
/// namespace is its string form `@uuid#name`. Refused: an empty provider, bucket or
/// object name; a provider, namespace or bucket holding `/`, or equal to `.` or `..`;
/// an object name with a leading `/`, an empty, `.` or `..` segment; a NUL anywhere.
public enum StorePath {
    /// The folder of the global namespace.
    public static let globalNamespace = "@global"

    /// The relative path of an object, or why it is refused.
    /// - Parameter header: The object's header.
    /// - Returns: The path segments (folders, then the file name), or the reason in words.
    public static func segments(for header: ObjectHeader) -> Result<[String], Refusal> {
        let bucket = header.bucket
        let namespace = bucket.namespace.isGlobal ? globalNamespace : bucket.namespace.description
        for (what, value) in [("provider", bucket.provider), ("namespace", namespace), ("bucket", bucket.name)] {
            if let problem = problem(ofSegment: value) { return .failure(Refusal(reason: "\(what) \(problem)")) }
        }
        let name = header.objectName
        if name.hasPrefix("/") { return .failure(Refusal(reason: "object name has a leading '/'")) }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            if let problem = problem(ofSegment: part) {
                return .failure(Refusal(reason: "object name segment \(problem)"))
            }
        }
        return .success([bucket.provider, namespace, bucket.name] + parts)
    }

    /// Why an object is not stored.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// The reason, in words.
        public var reason: String
        public var description: String { reason }
    }

    private static func problem(ofSegment s: String) -> String? {
        if s.isEmpty { return "is empty" }
        if s == "." || s == ".." { return "is '\(s)'" }
        if s.utf8.contains(0) { return "holds a NUL byte" }
        if s.utf8.contains(UInt8(ascii: "/")) { return "holds '/'" }
        return nil
    }
}
