import Foundation
import ObjStreamSend

/// The `--report` file of `objstream send`: one JSON object,
/// `{"delivered":N,"failed":[{"error":"<code>","message":"...","object":"..."}]}`.
///
/// `error` is the receiver's code for an object it refused (`checksum_mismatch`, ...), else
/// the sender's error code (`network`, `http_status`, ...).
struct SendReport: Encodable {
    /// One failed object.
    struct Failed: Encodable {
        var object: String
        var error: String
        var message: String
    }

    /// Objects delivered (confirmed, or written with `--no-confirm`).
    var delivered: Int
    /// Objects that failed for good.
    var failed: [Failed]

    /// Makes the report.
    /// - Parameters:
    ///   - delivered: How many objects were delivered.
    ///   - failures: The objects that failed.
    init(delivered: Int, failures: [SendRun.Failure]) {
        self.delivered = delivered
        self.failed = failures.map {
            Failed(object: $0.object, error: $0.error.receiverCode ?? $0.error.code.description, message: $0.error.message)
        }
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
