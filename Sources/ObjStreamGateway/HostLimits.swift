import Foundation
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// What the process may hold, as the kernel will enforce it: file descriptors, threads and
/// memory. Read by ``GatewayCapacity`` for `objstream config check` and `objstream serve`.
public struct HostLimits: Sendable, Equatable {
    /// One limit and where it comes from.
    public struct Limit: Sendable, Equatable, CustomStringConvertible {
        /// The value.
        public var value: Int
        /// Where it comes from, like `RLIMIT_NOFILE` or `cgroup pids.max`.
        public var source: String

        /// Creates a limit.
        public init(value: Int, source: String) {
            self.value = value
            self.source = source
        }

        public var description: String { "\(source) \(value)" }
    }

    /// Open files: the hard `RLIMIT_NOFILE` (`objstream serve` raises its soft limit to it).
    public var openFiles: Limit
    /// Threads: the least of `RLIMIT_NPROC`, `kernel.threads-max`, the cgroup's `pids.max` and
    /// half of `vm.max_map_count` (a thread's stack and its guard page are two mappings).
    public var threads: Limit
    /// Memory: the cgroup's memory limit (`memory.max`, `memory.limit_in_bytes`), else `MemTotal`.
    public var memory: Limit

    /// Creates limits.
    public init(openFiles: Limit, threads: Limit, memory: Limit) {
        self.openFiles = openFiles
        self.threads = threads
        self.memory = memory
    }

    /// The limits of this process now.
    ///
    /// The corresponding C function is `getrlimit`.
    public static func current() -> HostLimits {
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        let openFiles = Limit(value: clamp(files.rlim_max), source: "RLIMIT_NOFILE")

        var candidates: [Limit] = []
        var processes = rlimit()
        if getrlimit(Int32(__RLIMIT_NPROC.rawValue), &processes) == 0, processes.rlim_cur != rlim_t.max {
            candidates.append(Limit(value: clamp(processes.rlim_cur), source: "RLIMIT_NPROC"))
        }
        if let value = number(at: "/proc/sys/kernel/threads-max") {
            candidates.append(Limit(value: value, source: "kernel.threads-max"))
        }
        if let value = cgroupValue(v2: "pids.max", v1Controller: "pids", v1File: "pids.max") {
            candidates.append(Limit(value: value, source: "cgroup pids.max"))
        }
        if let value = number(at: "/proc/sys/vm/max_map_count") {
            candidates.append(Limit(value: value / 2, source: "vm.max_map_count/2"))
        }
        let threads = candidates.min { $0.value < $1.value } ?? Limit(value: Int.max, source: "no thread limit")

        let memory: Limit
        if let value = cgroupValue(v2: "memory.max", v1Controller: "memory", v1File: "memory.limit_in_bytes"),
            value < 1 << 60
        {
            memory = Limit(value: value, source: "cgroup memory limit")
        } else {
            memory = Limit(value: memTotal() ?? Int.max, source: "MemTotal")
        }
        return HostLimits(openFiles: openFiles, threads: threads, memory: memory)
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }

    /// A file's contents as text, or nil.
    private static func text(at path: String) -> String? {
        guard let file = try? FileDescriptor(opening: path, flags: O_RDONLY), let bytes = try? file.readToEnd()
        else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A file holding one integer (`max` is no limit: nil).
    private static func number(at path: String) -> Int? { text(at: path).flatMap { Int($0) } }

    /// A value of this process's cgroup: v2 (`0::/path`), else the v1 controller's hierarchy;
    /// the process's own cgroup, else the hierarchy's root.
    private static func cgroupValue(v2 file: String, v1Controller: String, v1File: String) -> Int? {
        let lines = (text(at: "/proc/self/cgroup") ?? "").split(separator: "\n")
        var paths: [String] = []
        for line in lines {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2]) == "/" ? "" : String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                paths += ["/sys/fs/cgroup\(path)/\(file)", "/sys/fs/cgroup/\(file)"]
            } else if fields[1].split(separator: ",").contains(Substring(v1Controller)) {
                paths += ["/sys/fs/cgroup/\(v1Controller)\(path)/\(v1File)", "/sys/fs/cgroup/\(v1Controller)/\(v1File)"]
            }
        }
        for path in paths { if let value = number(at: path) { return value } }
        return nil
    }

    /// `MemTotal` of `/proc/meminfo`, in bytes.
    private static func memTotal() -> Int? {
        guard let info = text(at: "/proc/meminfo") else { return nil }
        for line in info.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kib = line.split(separator: " ").compactMap { Int($0) }.first
            return kib.map { $0 * 1024 }
        }
        return nil
    }
}
