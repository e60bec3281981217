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
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "-h" || argument == "--help" {
                print(usage)
                return 0
            }
            if argument == "--fin" {
                fin = true
                continue
            }
            guard ["--bucket", "--object", "--opcode", "--opaque", "--data", "--sender"].contains(argument) else {
                return fail("unknown option '\(argument)'")
            }
            guard let value = rest.popFirst() else { return fail("\(argument) needs a value") }
            switch argument {
            case "--bucket": bucketText = value
            case "--object": object = value
            case "--opaque": opaque = Array(value.utf8)
            case "--data": dataPath = value
            case "--sender": sender = value
            default:
                guard let raw = UInt16(value) else { return fail("--opcode '\(value)' is not a number 0..65535") }
                opcode = Opcode(rawValue: raw)
                if opcode.isReserved { return fail("--opcode \(raw) is reserved for the transport (>= \(Opcode.fin))") }
            }
        }
        guard let bucketText else { return fail("--bucket is required") }
        guard let object, !object.isEmpty else { return fail("--object is required") }
        let bucket: Bucket
        do { bucket = try Bucket(parsing: bucketText) } catch { return fail("--bucket '\(bucketText)': \(error.message)") }
        var data: [UInt8] = []
        if let dataPath {
            guard let contents = FileManager.default.contents(atPath: dataPath) else {
                FileHandleError.write("objstream frame: cannot read --data file '\(dataPath)'\n")
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
            FileHandleError.write("objstream frame: \(error)\n")
            return 2
        }
        if fin { encoder.appendFin() }
        return writeAll(encoder.bytes) ? 0 : 1
    }

    private static func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    FileHandleError.write("objstream frame: cannot write to standard output: \(String(cString: strerror(errno)))\n")
                    return false
                }
                offset += n
            }
            return true
        }
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandleError.write("objstream frame: \(message)\n\(usage)\n")
        return 2
    }
}
