import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The file that carries each sender's highest accepted nonce across gateway restarts
/// (`serve --replay-state FILE`): one line `NONCE SENDER` per sender.
///
/// It is written through: before a request whose nonce raises its sender's highest is
/// accepted, the whole file is written to `FILE.tmp`, synced and renamed over `FILE` (and the
/// folder synced), so that after a restart, however abrupt, the file names a nonce at least
/// as high as any accepted. A restarted gateway starts each sender's window there, with every
/// nonce up to it counted as accepted. One sync per signed request: requests are long-lived.
public final class ReplayState: Sendable {
    /// The file.
    public let path: String
    private let highest: Mutex<[String: UInt64]>

    /// Reads the file, or starts empty when it does not exist.
    /// - Parameter path: The file.
    /// - Throws: ``GatewayError`` `bad_replay_state` when it exists and cannot be read or parsed.
    public init(path: String) throws(GatewayError) {
        self.path = path
        var loaded: [String: UInt64] = [:]
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GatewayError(code: .badReplayState, message: "replay state \(path): cannot be read")
            }
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
                let fields = line.split(separator: " ", maxSplits: 1)
                guard fields.count == 2, let nonce = UInt64(fields[0]) else {
                    throw GatewayError(
                        code: .badReplayState,
                        message: "replay state \(path): line \(index + 1) is not 'NONCE SENDER': \(line.prefix(80))")
                }
                loaded[String(fields[1])] = max(loaded[String(fields[1])] ?? 0, nonce)
            }
        }
        highest = Mutex(loaded)
    }

    /// The persisted highest nonce of each sender.
    var floors: [String: UInt64] { highest.withLock { $0 } }

    /// Makes a sender's nonce durable when it is above the persisted one.
    /// - Parameters:
    ///   - nonce: A nonce about to be accepted.
    ///   - sender: Its sender.
    /// - Returns: nil when the file names `nonce` or a higher one for `sender`, else what failed.
    func record(_ nonce: UInt64, for sender: String) -> String? {
        highest.withLock { table -> String? in
            if let known = table[sender], known >= nonce { return nil }
            var next = table
            next[sender] = nonce
            if let problem = write(next) { return problem }
            table = next
            return nil
        }
    }

    private func write(_ table: [String: UInt64]) -> String? {
        let text = table.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)\n" }.joined()
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "\(temporary): \(String(cString: strerror(errno)))" }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let problem = "\(temporary): \(String(cString: strerror(errno)))"
                close(fd)
                return problem
            }
            written += n
        }
        if fsync(fd) != 0 {
            let problem = "\(temporary): fsync: \(String(cString: strerror(errno)))"
            close(fd)
            return problem
        }
        close(fd)
        guard rename(temporary, path) == 0 else { return "\(path): rename: \(String(cString: strerror(errno)))" }
        let folder = (path as NSString).deletingLastPathComponent
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            defer { close(dir) }
            if fsync(dir) != 0 { return "\(folder): fsync: \(String(cString: strerror(errno)))" }
        }
        return nil
    }
}
