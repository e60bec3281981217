import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time and memory of a process, read from `/proc` (another process) or `getrusage` (this one).
struct ProcessUsage: Sendable {
    /// User plus system CPU seconds.
    var cpuSeconds: Double
    /// Resident set size now, in bytes.
    var residentBytes: Int
    /// Peak resident set size, in bytes.
    var peakResidentBytes: Int

    /// The usage of this process.
    /// The corresponding C function is `getrusage`; memory comes from `/proc/self/status`.
    static func current() -> ProcessUsage {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let status = statusFields(pid: getpid())
        // VmHWM, not ru_maxrss: Linux carries ru_maxrss across execve, so a worker
        // would report its parent's peak.
        return ProcessUsage(
            cpuSeconds: cpu, residentBytes: status["VmRSS"] ?? 0, peakResidentBytes: status["VmHWM"] ?? 0)
    }

    /// The usage of another process, from `/proc/PID/stat` and `/proc/PID/status`.
    static func of(pid: Int32) -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let status = statusFields(pid: pid)
        return ProcessUsage(
            cpuSeconds: (utime + stime) / ticks, residentBytes: status["VmRSS"] ?? 0,
            peakResidentBytes: status["VmHWM"] ?? 0)
    }

    /// `VmRSS`, `VmHWM` and friends from `/proc/PID/status`, in bytes.
    private static func statusFields(pid: Int32) -> [String: Int] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("Vm") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kib = Int(parts[1]) { out[String(parts[0])] = kib * 1024 }
        }
        return out
    }
}
