import Foundation
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// This process's own TCP connections to a port, from `/proc/self/net/tcp` and `tcp6`, and
/// the descriptors that hold them: how a test finds the socket of a stream it started.
enum LoopbackConnections {
    /// One connection to the port, as the kernel lists it.
    struct Connection {
        /// The TCP state (`01`: established).
        var state: String
        /// The socket's inode.
        var inode: String
    }

    /// The connections whose remote end is `port` (the sender's side, not the server's).
    /// - Parameter port: The server's port.
    /// - Returns: The connections the kernel lists now.
    static func connections(toPort port: UInt16) -> [Connection] {
        let hex = String(port, radix: 16, uppercase: true)
        let remote = ":" + String(repeating: "0", count: 4 - hex.count) + hex
        var found: [Connection] = []
        for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
            // Read to the end: Foundation reads a /proc file (size 0) only up to its first page.
            guard let file = try? FileDescriptor(opening: table, flags: O_RDONLY) else { continue }
            let text = String(decoding: (try? file.readToEnd()) ?? [], as: UTF8.self)
            file.close()
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[2].hasSuffix(remote) else { continue }
                found.append(Connection(state: String(fields[3]), inode: String(fields[9])))
            }
        }
        return found
    }

    /// The established connections to `port`.
    static func established(toPort port: UInt16) -> [Connection] {
        connections(toPort: port).filter { $0.state == "01" }
    }

    /// The descriptors of this process that hold an established connection to `port`.
    ///
    /// The corresponding C function is `readlink`.
    /// - Parameter port: The server's port.
    /// - Returns: The descriptors.
    static func descriptors(connectedTo port: UInt16) -> [Int32] {
        let inodes = Set(established(toPort: port).map { "socket:[\($0.inode)]" })
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap { entry -> Int32? in
            var target = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/self/fd/\(entry)", &target, target.count - 1)
            guard n > 0 else { return nil }
            let link = String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return inodes.contains(link) ? Int32(entry) : nil
        }
    }
}
