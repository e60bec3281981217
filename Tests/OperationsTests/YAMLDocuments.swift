import Foundation
import ObjStreamTestSupport

/// YAML files read by PyYAML (`yaml.safe_load_all`) in a real python3, handed back as JSON values.
enum YAMLDocuments {
    /// Every document of a YAML file, in order.
    /// - Parameter path: The file, relative to the package root.
    /// - Returns: The documents as `JSONSerialization` values (dictionaries, arrays, strings, numbers).
    static func load(_ path: String) throws -> [Any] {
        let file = TestPaths.packageRoot.appendingPathComponent(path).path
        let script = "import sys, json, yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout, default=str)"
        let result = try ChildProcess.run(try RequiredTool.path("python3", package: "python3-yaml"), ["-c", script, file])
        if result.stderr.contains("No module named 'yaml'") {
            throw Failure(message: "python3 has no yaml module: install the Debian package 'python3-yaml' (make deps does)")
        }
        guard result.status == 0 else { throw Failure(message: "\(path) does not parse as YAML: \(result.stderr)") }
        guard let documents = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] else {
            throw Failure(message: "\(path): python3 printed no document list")
        }
        return documents.filter { !($0 is NSNull) }
    }

    /// The value at a path of keys and indexes, like `["spec", "template", "spec", "containers", 0]`.
    static func value(_ root: Any, _ path: [Any]) -> Any? {
        var current: Any? = root
        for step in path {
            if let key = step as? String {
                current = (current as? [String: Any])?[key]
            } else if let index = step as? Int, let array = current as? [Any], array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// A test-setup failure with a message.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
