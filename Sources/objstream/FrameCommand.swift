import Foundation
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// `objstream frame`: writes stream frames to standard output, for curl probes.
///
/// ```
/// objstream frame --bucket ais://b --object probe | \
///     curl -sS -X PUT --data-binary @- http://127.0.0.1:9080/v1/objstream/NAME
/// ```
enum FrameCommand {
    static let usage = """
        usage: objstream frame --bucket BUCKET --object NAME [--opcode N] [--opaque STR]
                               [--data FILE] [--fin] [--sender SID]

        Writes one object frame to standard output: a header-only object, or the object
        with the bytes of FILE; --fin appends the end-of-stream marker.
          BUCKET   ais://b, s3://b (aws), gs://b (gcp), az://b (azure), oc://b (oci),
                   with an optional namespace: ais://@uuid#ns/b
          --opcode the object's opcode, 0..65518 (default 0; reserved opcodes are refused)
        """

    /// Runs the command with its arguments.
    /// - Parameter arguments: The arguments after `frame`.
    /// - Returns: 0 when the frames were written, 1 when a file or stdout failed, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        var bucketText: String?
        var object: String?
        var opcode = Opcode.data
        var opaque: [UInt8] = []
        var dataPath: String?
        var fin = false
        var sender = ""
        do throws(UsageError) {
            let help = try ArgumentCursor.parse(arguments) { argument, cursor throws(UsageError) in
                switch argument {
                case "--fin": fin = true
                case "--bucket": bucketText = try cursor.value(for: argument)
                case "--object": object = try cursor.value(for: argument)
                case "--opaque": opaque = Array(try cursor.value(for: argument).utf8)
                case "--data": dataPath = try cursor.value(for: argument)
                case "--sender": sender = try cursor.value(for: argument)
                case "--opcode":
                    let raw = try cursor.value(for: argument, parsedBy: { UInt16($0) }) {
                        "--opcode '\($0)' is not a number 0..65535"
                    }
                    opcode = Opcode(rawValue: raw)
                    if opcode.isReserved {
                        throw UsageError(.invalidValue, "--opcode \(raw) is reserved for the transport (>= \(Opcode.fin))")
                    }
                default: throw UsageError(.unknownOption, "unknown option '\(argument)'")
                }
            }
            if help {
                print(usage)
                return 0
            }
        } catch {
            return fail(error.message)
        }
        guard let bucketText else { return fail("--bucket is required") }
        guard let object, !object.isEmpty else { return fail("--object is required") }
        let bucket: Bucket
        switch parseBucket(bucketText) {
        case .success(let parsed): bucket = parsed
        case .failure(let problem): return fail("--bucket '\(bucketText)': \(problem.reason)")
        }
        var data: [UInt8] = []
        if let dataPath {
            guard let contents = FileManager.default.contents(atPath: dataPath) else {
                StandardError.write("objstream frame: cannot read --data file '\(dataPath)'\n")
                return 1
            }
            data = [UInt8](contents)
        }
        let header = ObjectHeader(
            senderID: sender, opcode: opcode, bucket: bucket, objectName: object, opaque: opaque,
            attributes: ObjectAttributes(size: Int64(data.count)))
        var encoder = FrameEncoder()
        do {
            try encoder.appendObject(header, data: data)
        } catch {
            StandardError.write("objstream frame: \(error)\n")
            return 2
        }
        if fin { encoder.appendFin() }
        return writeAll(encoder.bytes) ? 0 : 1
    }

    /// Why a bucket URI does not parse.
    struct BucketProblem: Error {
        var reason: String
    }

    /// Parses `scheme://[@uuid][#ns/]name` into a bucket.
    /// - Parameter text: The URI.
    /// - Returns: The bucket, or what is wrong with the URI.
    static func parseBucket(_ text: String) -> Result<Bucket, BucketProblem> {
        guard let separator = text.range(of: "://") else {
            return .failure(BucketProblem(reason: "expected scheme://name (ais://, s3://, gs://, az://, oc://)"))
        }
        let providers = [
            "ais": "ais", "s3": "aws", "aws": "aws", "gs": "gcp", "gcp": "gcp", "az": "azure", "azure": "azure",
            "oc": "oci", "oci": "oci", "ht": "ht",
        ]
        let scheme = String(text[..<separator.lowerBound])
        guard let provider = providers[scheme] else {
            return .failure(BucketProblem(reason: "unknown scheme '\(scheme)'"))
        }
        var rest = Substring(text[separator.upperBound...])
        var namespace = Namespace.global
        if rest.hasPrefix("@") || rest.hasPrefix("#") {
            guard let slash = rest.firstIndex(of: "/") else {
                return .failure(BucketProblem(reason: "namespace without '/name' after it"))
            }
            let ns = rest[..<slash]
            rest = rest[rest.index(after: slash)...]
            if let hash = ns.firstIndex(of: "#") {
                namespace = Namespace(uuid: String(ns[..<hash].dropFirst(ns.hasPrefix("@") ? 1 : 0)), name: String(ns[ns.index(after: hash)...]))
            } else {
                namespace = Namespace(uuid: String(ns.dropFirst()))
            }
        }
        guard !rest.isEmpty else { return .failure(BucketProblem(reason: "empty bucket name")) }
        guard !rest.contains("/") else { return .failure(BucketProblem(reason: "bucket name holds '/'")) }
        return .success(Bucket(name: String(rest), provider: provider, namespace: namespace))
    }

    /// Writes the frames to standard output.
    /// - Parameter bytes: The encoded frames.
    /// - Returns: Whether every byte was written (else the reason is on standard error).
    private static func writeAll(_ bytes: [UInt8]) -> Bool {
        guard let failure = bytes.withUnsafeBytes({ OutputDescriptor.standardOutput.writeAll($0) }) else { return true }
        StandardError.write("objstream frame: cannot write to standard output: \(String(cString: strerror(failure)))\n")
        return false
    }

    private static func fail(_ message: String) -> Int32 {
        StandardError.write("objstream frame: \(message)\n\(usage)\n")
        return 2
    }
}
