import Foundation
import ObjStreamCluster

#if canImport(Glibc)
import Glibc
#endif

/// `objstream keygen --out DIR`: a node's Ed25519 key pair (libsodium) for connection signing.
enum KeygenCommand: Subcommand {
    static let name = "keygen"
    static let usage = """
        usage: objstream keygen --out DIR

        Makes a node's Ed25519 signing key pair: DIR/node.key (the private key, mode 0600:
        one line, the 32-byte seed in base64 URL-safe without padding; what
        `send --signing-key` reads) and DIR/node.pub (the public key, base64 URL-safe
        without padding, 43 characters: the node's "public_key" in the cluster map). DIR is
        made (mode 0700, with its parents) when missing; an existing node.key is never
        overwritten. Prints the public key.
          --out DIR      where the two files go
        """

    /// Runs the command.
    /// - Parameter arguments: The arguments after `keygen`.
    /// - Returns: 0 when both files were written, 1 when they could not be, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        var out: String?
        let done = parseOptions(arguments) { argument, cursor throws(UsageError) in
            switch argument {
            case "--out": out = try cursor.value(for: argument)
            default: throw UsageError(.unknownOption, "unknown option '\(argument)'")
            }
        }
        if let done { return done }
        guard let out else { return fail("--out DIR is required") }
        let key = NodeSigningKey.generate()
        do {
            try write(key, to: out)
        } catch {
            StandardError.write("objstream keygen: \(error.message)\n")
            return 1
        }
        print(key.publicKey.base64URL)
        return 0
    }

    /// Writes `node.key` (created exclusively, mode 0600) and `node.pub`.
    /// - Parameters:
    ///   - key: The key pair.
    ///   - folder: The folder, made with its parents when missing.
    /// - Throws: ``SigningKeyError`` `unwritable` naming the file.
    private static func write(_ key: NodeSigningKey, to folder: String) throws(SigningKeyError) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SigningKeyError(code: .unwritable, message: "\(folder): cannot be made: \(error.localizedDescription)")
        }
        try writeFile(folder + "/node.key", key.fileText, mode: 0o600, exclusive: true)
        try writeFile(folder + "/node.pub", key.publicKey.base64URL + "\n", mode: 0o644, exclusive: false)
    }

    private static func writeFile(_ path: String, _ text: String, mode: mode_t, exclusive: Bool) throws(SigningKeyError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "exists: a node key is never overwritten (remove it first)" : String(cString: strerror(errno))
            throw SigningKeyError(code: .unwritable, message: "\(path): \(reason)")
        }
        defer { close(fd) }
        // The mode as asked, whatever the umask.
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw SigningKeyError(code: .unwritable, message: "\(path): \(String(cString: strerror(errno)))")
        }
    }
}
