import Foundation
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// Reading a JSON file into a top-level object, with the errors every file of ours reports the same way.
enum ConfigDocument {
    /// Reads a file's bytes.
    /// - Parameter path: The file's path.
    /// - Returns: Its contents.
    /// - Throws: ``ConfigError`` `.unreadable` naming the file and the system's reason.
    static func bytes(contentsOf path: String) throws(ConfigError) -> [UInt8] {
        do {
            let file = try FileDescriptor(opening: path, flags: O_RDONLY)
            defer { file.close() }
            return try file.readToEnd()
        } catch {
            throw ConfigError(
                code: .unreadable,
                problems: [ConfigProblem(key: "file", value: JSONString.quote(path), message: "cannot read: \(error)")],
                cause: POSIXError(POSIXErrorCode(rawValue: error.code) ?? .EIO))
        }
    }

    /// Parses JSON text that must hold one object.
    /// - Parameter json: The text, UTF-8.
    /// - Returns: The parsed object.
    /// - Throws: ``ConfigError`` `.malformedJSON` with the parser's reason, or when the document is not an object.
    static func object(_ json: [UInt8]) throws(ConfigError) -> [String: Any] {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw ConfigError(
                code: .malformedJSON,
                problems: [ConfigProblem(key: "(document)", value: "", message: "not valid JSON: \(reason)")], cause: error)
        }
        guard let object = document as? [String: Any] else {
            throw ConfigError(
                code: .malformedJSON,
                problems: [ConfigProblem(key: "(document)", value: ConfigReader.render(document), message: "must be a JSON object")])
        }
        return object
    }
}
