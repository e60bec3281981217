import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics (as Prometheus client libraries name them), read from `/proc`
/// just before every render, and `objstream_build_info`.
public enum ProcessMetrics {
    /// A value sampled at render time that needs a fraction (CPU seconds, start time).
    public final class Sample: Sendable {
        private let bits = Atomic<UInt64>(0)

        /// Creates a sample at zero.
        public init() {}

        /// The last value set.
        public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

        /// Replaces the value.
        /// - Parameter value: The new value.
        public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }
    }

    /// What `/proc` told us about this process at one moment.
    public struct Reading: Sendable, Equatable {
        /// User plus system CPU time in seconds.
        public var cpuSeconds: Double
        /// Resident set size in bytes.
        public var residentBytes: Int64
        /// Open file descriptors.
        public var openFileDescriptors: Int64
        /// The soft limit of open file descriptors (`Int64.max` when unlimited).
        public var maxFileDescriptors: Int64
        /// Start time of the process, seconds since the Unix epoch.
        public var startTimeSeconds: Double
    }

    /// Registers the process families and `objstream_build_info` on a registry and refreshes
    /// the process families on every render.
    /// - Parameters:
    ///   - registry: The registry (`MetricsRegistry.shared` for `/metrics`).
    ///   - version: The version label of `objstream_build_info`.
    public static func register(on registry: MetricsRegistry, version: String = BuildInfo.version) {
        BuildInfo.register(on: registry, version: version)
        let cpu = registry.family(
            "process_cpu_seconds_total", help: "User and system CPU time spent by the process, in seconds.",
            kind: .counter, labels: []
        ) { Sample() }.labels()
        let resident = registry.gauge("process_resident_memory_bytes", help: "Resident memory size of the process, in bytes.")
            .labels()
        let fds = registry.gauge("process_open_fds", help: "Number of open file descriptors of the process.").labels()
        let maxFds = registry.gauge("process_max_fds", help: "Maximum number of open file descriptors of the process.").labels()
        let start = registry.family(
            "process_start_time_seconds", help: "Start time of the process since the Unix epoch, in seconds.",
            kind: .gauge, labels: []
        ) { Sample() }.labels()
        registry.onRender {
            guard let reading = read() else { return }
            cpu.set(reading.cpuSeconds)
            resident.set(reading.residentBytes)
            fds.set(reading.openFileDescriptors)
            maxFds.set(reading.maxFileDescriptors)
            start.set(reading.startTimeSeconds)
        }
    }

    /// Reads `<process>/stat`, `<process>/limits`, `/proc/stat` and `<process>/fd` once.
    /// - Parameter process: The process's folder in `/proc` (`/proc/self`, or `/proc/<pid>` for another process).
    /// - Returns: The reading, or nil when `/proc` is not mounted or not in the expected format.
    public static func read(process: String = "/proc/self") -> Reading? {
        // Fields after the closing parenthesis of the command name (which may itself hold spaces and parentheses).
        guard let stat = contents(process + "/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        // stat(5): utime is field 14, stime 15, starttime 22, rss 24; fields[0] is field 3.
        guard fields.count > 21, let utime = number(fields[11]), let stime = number(fields[12]),
            let startTicks = number(fields[19]), let rssPages = number(fields[21]),
            let bootTime = bootTimeSeconds(), let maxFileDescriptors = openFilesLimit(process + "/limits")
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        return Reading(
            cpuSeconds: Double(utime + stime) / ticks,
            residentBytes: rssPages * pageSize,
            openFileDescriptors: openFileDescriptors(process + "/fd", listedBySelf: process == "/proc/self"),
            maxFileDescriptors: maxFileDescriptors,
            startTimeSeconds: Double(bootTime) + Double(startTicks) / ticks)
    }

    /// The `btime` line of `/proc/stat`: boot time, seconds since the Unix epoch.
    private static func bootTimeSeconds() -> Int64? {
        guard let stat = contents("/proc/stat") else { return nil }
        for line in stat.split(separator: UInt8(ascii: "\n")) where line.starts(with: "btime ".utf8) {
            return number(line.dropFirst(6))
        }
        return nil
    }

    /// The soft limit of the `Max open files` line of a `/proc/<pid>/limits` file; `Int64.max` when unlimited.
    private static func openFilesLimit(_ path: String) -> Int64? {
        guard let limits = contents(path) else { return nil }
        let prefix = "Max open files"
        for line in limits.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix.utf8) {
            let soft = line.dropFirst(prefix.utf8.count).split(separator: UInt8(ascii: " ")).first ?? []
            return soft.elementsEqual("unlimited".utf8) ? Int64.max : number(soft)
        }
        return nil
    }

    /// Entries of a `/proc/<pid>/fd` folder, less the one descriptor used to list our own.
    private static func openFileDescriptors(_ folder: String, listedBySelf: Bool) -> Int64 {
        guard let dir = opendir(folder) else { return 0 }
        defer { closedir(dir) }
        var count: Int64 = 0
        while let entry = readdir(dir) {
            let isDot = withDirectoryEntryName(entry) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return listedBySelf ? count - 1 : count
    }

    /// A whole small file (files in `/proc` report size 0, so it is read to the end).
    private static func contents(_ path: String) -> [UInt8]? {
        guard let file = try? FileDescriptor(opening: path, flags: O_RDONLY) else { return nil }
        defer { file.close() }
        return try? file.readToEnd(chunkSize: 4096)
    }

    /// A non-negative decimal number.
    private static func number(_ digits: some Collection<UInt8>) -> Int64? {
        var value: Int64 = 0
        var any = false
        for d in digits {
            if d == UInt8(ascii: "\n") { break }
            guard d >= 0x30, d <= 0x39 else { return nil }
            value = value * 10 + Int64(d - 0x30)
            any = true
        }
        return any ? value : nil
    }
}
