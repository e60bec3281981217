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
///
/// `--name-hex` and `--bucket-name-hex` give names as bytes, so that tests can send names
/// that are not UTF-8 (as Go senders do).
enum FrameCommand: Subcommand {
    static let name = "frame"
    static let usage = """
        usage: objstream frame --bucket BUCKET (--object NAME | --name-hex HEX) [--bucket-name-hex HEX]
                               [--opcode N] [--opaque STR] [--data FILE] [--fin] [--sender SID]

        Writes one object frame to standard output: a header-only object, or the object
        with the bytes of FILE; --fin appends the end-of-stream marker.
          --bucket BUCKET  ais://b, s3://b (aws), gs://b (gcp), az://b (azure), oc://b (oci),
                           with an optional namespace: ais://@uuid#ns/b
          --object NAME    the object name
          --name-hex HEX   the object name as bytes in hex, two digits each (ff00 is 0xff 0x00):
                           for names that are not UTF-8; in place of --object
          --bucket-name-hex HEX
                           the bucket name as bytes in hex, in place of the name in --bucket
                           (which still gives the provider and namespace)
          --opcode N       the object's opcode, 0..65518 (default 0; reserved opcodes are refused)
          --opaque STR     the header's opaque bytes (default none)
          --data FILE      the object's bytes (default: a header-only object)
          --fin            append the end-of-stream marker
          --sender SID     the header's sender id (default empty)
        """

    /// Runs the command with its arguments.
    /// - Parameter arguments: The arguments after `frame`.
    /// - Returns: 0 when the frames were written, 1 when a file or stdout failed, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        var bucketText: String?
        var object: String?
        var nameBytes: [UInt8]?
        var bucketNameBytes: [UInt8]?
        var opcode = Opcode.data
        var opaque: [UInt8] = []
        var dataPath: String?
        var fin = false
        var sender = ""
        let done = parseOptions(arguments) { argument, cursor throws(UsageError) in
            switch argument {
            case "--fin": fin = true
            case "--bucket": bucketText = try cursor.value(for: argument)
            case "--object": object = try cursor.value(for: argument)
            case "--name-hex", "--bucket-name-hex":
                let bytes = try cursor.value(for: argument, parsedBy: HexBytes.parse) {
                    "\(argument) '\($0)' is not bytes in hex (two digits 0-9a-f each)"
                }
                if argument == "--name-hex" { nameBytes = bytes } else { bucketNameBytes = bytes }
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
        if let done { return done }
        guard let bucketText else { return fail("--bucket is required") }
        if object != nil && nameBytes != nil { return fail("--object and --name-hex exclude each other") }
        guard let name = nameBytes ?? object.map({ Array($0.utf8) }), !name.isEmpty else {
            return fail("--object (or --name-hex) is required")
        }
        if bucketNameBytes?.isEmpty == true { return fail("--bucket-name-hex needs at least one byte") }
        let bucket: Bucket
        do { bucket = try Bucket(parsing: bucketText) } catch { return fail("--bucket '\(bucketText)': \(error.message)") }
        var data: [UInt8] = []
        if let dataPath {
            guard let contents = FileManager.default.contents(atPath: dataPath) else {
                StandardError.write("objstream frame: cannot read --data file '\(dataPath)'\n")
                return 1
            }
            data = [UInt8](contents)
        }
        var header = ObjectHeader(
            senderID: sender, opcode: opcode, bucket: bucket, opaque: opaque,
            attributes: ObjectAttributes(size: Int64(data.count)))
        header.setBytes(name, of: .objectName)
        if let bucketNameBytes { header.setBytes(bucketNameBytes, of: .bucketName) }
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

    /// Writes the frames to standard output.
    /// - Parameter bytes: The encoded frames.
    /// - Returns: Whether every byte was written (else the reason is on standard error).
    private static func writeAll(_ bytes: [UInt8]) -> Bool {
        let failure = bytes.withUnsafeBytes { buffer -> Errno? in
            do {
                try FileDescriptor.standardOutput.writeAll(buffer)
                return nil
            } catch {
                return error as? Errno
            }
        }
        guard let failure else { return true }
        StandardError.write("objstream frame: cannot write to standard output: \(failure)\n")
        return false
    }
}
