import ObjStreamReceive
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// `objstream store ls DIR` and `objstream store get DIR BUCKET NAME`: what a file store holds.
enum StoreCommand: Subcommand {
    static let name = "store"
    static let usage = """
        usage: objstream store ls DIR                 list every object of the store at DIR, one
                                                      "BUCKET/NAME" line each, sorted (byte order)
               objstream store get DIR BUCKET NAME    write one object's bytes to stdout

        BUCKET is ais://bucket, s3://bucket (aws), gs://, az://, oc://, ht://, with a namespace
        as ais://@uuid#ns/bucket; '%', '/', '#', '@' and bytes outside printable ASCII in its
        parts are %XX. NAME is the exact name; a name that is not UTF-8, holds a control
        character or starts with '"' is listed quoted: "..." with \\\\, \\", \\n, \\t, \\r and \\xNN
        escapes, and get takes it in that form too.
        """

    /// Runs the command.
    /// - Parameter arguments: The arguments after `store`.
    /// - Returns: 0 when done, 1 when the store (or an object) cannot be read or the object is absent,
    ///   2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) || arguments.first == "help" {
            print(usage)
            return 0
        }
        switch arguments.first {
        case "ls" where arguments.count == 2:
            return list(arguments[1])
        case "get" where arguments.count == 4:
            return get(arguments[1], bucket: arguments[2], name: arguments[3])
        default:
            return fail("expected 'ls DIR' or 'get DIR BUCKET NAME'")
        }
    }

    /// Prints every object's line; problems go to standard error.
    /// - Returns: 0, or 1 when something could not be read.
    private static func list(_ root: String) -> Int32 {
        var status = stat()
        guard stat(root, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            StandardError.write("objstream store: \(root): not a folder\n")
            return 1
        }
        let (objects, problems) = StoreCatalog.objects(in: root)
        var text = ""
        for object in objects { text += object.listing + "\n" }
        text.withUTF8 { try? FileDescriptor.standardOutput.writeAll(UnsafeRawBufferPointer($0)) }
        for problem in problems { StandardError.write("objstream store: \(problem)\n") }
        return problems.isEmpty ? 0 : 1
    }

    /// Writes one object's bytes to standard output.
    /// - Returns: 0, or 1 when the object is absent or cannot be read.
    private static func get(_ root: String, bucket text: String, name listed: String) -> Int32 {
        guard let bucket = StoredBucket(listing: text) else {
            return fail("'\(text)' is not a bucket (like ais://bucket or ais://@uuid#ns/bucket)")
        }
        guard let name = NameEscaping.bytes(ofListed: listed) else {
            return fail("\(listed) is not a quoted name (\\\\, \\\", \\n, \\t, \\r, \\xNN escapes)")
        }
        guard let object = StoreCatalog.object(in: root, bucket: bucket, name: name) else {
            StandardError.write("objstream store: \(bucket)/\(NameEscaping.listed(name)): no such object in \(root)\n")
            return 1
        }
        do {
            let file = try FileDescriptor(opening: object.path, flags: O_RDONLY)
            defer { file.close() }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = retryingOnInterrupt { buffer.withUnsafeMutableBytes { read(file.rawValue, $0.baseAddress, $0.count) } }
                guard n >= 0 else { throw Errno(code: errno) }
                if n == 0 { return 0 }
                try buffer.withUnsafeBytes { try FileDescriptor.standardOutput.writeAll(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
            }
        } catch {
            StandardError.write("objstream store: \(object.listing) (\(object.path)): \(error)\n")
            return 1
        }
    }
}
