import Foundation

/// Resident memory, open descriptors and threads of a process, read from `/proc/<pid>`.
struct ProcessUsage: Sendable, CustomStringConvertible {
    /// `VmRSS` in bytes.
    var residentBytes: Int
    /// Entries of `/proc/<pid>/fd`.
    var descriptors: Int
    /// Entries of `/proc/<pid>/task`.
    var threads: Int

    /// Reads a process's usage.
    /// - Parameter pid: The process id.
    /// - Returns: The usage, nil when the process is gone.
    static func read(pid: Int32) -> ProcessUsage? {
        guard pid > 0, let status = ProcFile.text("/proc/\(pid)/status"),
            let rssLine = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(rssLine.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? ""),
            let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"),
            let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        else { return nil }
        return ProcessUsage(residentBytes: kib << 10, descriptors: fds.count, threads: tasks.count)
    }

    var description: String { "RSS \(residentBytes >> 20) MiB, \(descriptors) fds, \(threads) threads" }
}
