import Foundation
import ObjStreamSend

/// The `--report` file of `objstream send`: one JSON object,
/// `{"delivered":N,"failed":[{"error":"<code>","message":"...","object":"..."}]}`; with
/// `--cluster` each failure has its `"node"` and `"nodes":[{"node","delivered","bytes","failed"}]` follows.
///
/// `error` is the receiver's code for an object it refused (`checksum_mismatch`, ...), else
/// the sender's error code (`network`, `http_status`, ...).
struct SendReport: Encodable {
    /// One failed object (with `--cluster`: one failed copy, naming its node).
    struct Failed: Encodable {
        var object: String
        var node: String?
        var error: String
        var message: String
    }

    /// One destination node's counts, with `--cluster`.
    struct Node: Encodable {
        var node: String
        var delivered: Int
        var bytes: Int64
        var failed: Int
    }

    /// Objects delivered (confirmed, or written with `--no-confirm`); with `--cluster`, copies.
    var delivered: Int
    /// Objects that failed for good; with `--cluster`, copies.
    var failed: [Failed]
    /// Per destination node, with `--cluster` (absent otherwise).
    var nodes: [Node]?

    /// Makes the report.
    /// - Parameters:
    ///   - delivered: How many objects (copies) were delivered.
    ///   - failures: The objects (copies) that failed.
    ///   - nodes: The per-node counts, with `--cluster`.
    init(delivered: Int, failures: [SendRun.Failure], nodes: [Node]? = nil) {
        self.delivered = delivered
        self.failed = failures.map {
            Failed(
                object: $0.object, node: $0.node, error: $0.error.receiverCode ?? $0.error.code.description,
                message: $0.error.message)
        }
        self.nodes = nodes
    }

    /// Writes the report.
    /// - Parameter path: The file.
    /// - Returns: What went wrong, or nil.
    func write(to path: String) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            try data.write(to: URL(fileURLWithPath: path))
            return nil
        } catch {
            return "\(error)"
        }
    }
}
