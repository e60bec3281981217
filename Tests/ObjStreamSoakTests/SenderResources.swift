import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the streams of this (sender) process hold, read from `/proc/self`: stream
/// threads by name, and sockets to the gateway's port.
enum SenderResources {
    /// Threads of the given streams still alive: `ostx-<sid>` (sender) and `oscq-<sid>` (completions).
    /// - Parameter sessionIDs: The streams' session ids.
    /// - Returns: Their names.
    static func streamThreads(of sessionIDs: Set<Int64>) -> [String] {
        threadNames().filter { name in
            guard name.hasPrefix("ostx-") || name.hasPrefix("oscq-"), let sid = Int64(name.dropFirst(5)) else { return false }
            return sessionIDs.contains(sid)
        }
    }

    /// Names of this process's threads (`/proc/self/task/*/comm`).
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { ProcFile.text("/proc/self/task/\($0)/comm") }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Open descriptors of this process.
    static func descriptorCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
    }

    /// Descriptors of this process that are TCP sockets connected to a port (`/proc/net/tcp`).
    /// - Parameter port: The remote port.
    /// - Returns: How many.
    static func sockets(toPort port: UInt16) -> Int {
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = ProcFile.text(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9, let remotePort = fields[2].split(separator: ":").last,
                    UInt16(remotePort, radix: 16) == port
                else { continue }
                inodes.insert(String(fields[9]))
            }
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
                target.hasPrefix("socket:[")
            else { return false }
            return inodes.contains(String(target.dropFirst(8).dropLast()))
        }.count
    }
}
