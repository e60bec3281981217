import Foundation
import ObjStreamMetrics
import ObjStreamTestSupport
import Testing

/// `process_*` from `/proc`, and `promtool check metrics` on the rendered text.
@Suite struct ProcessMetricsTests {
    /// The value of one series in a rendering.
    private func value(_ text: String, _ series: String) -> Double? { ExpositionText.value(of: series, in: text) }

    @Test func processFamiliesReportThisProcessFromProc() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(on: registry)
        let text = registry.render()
        #expect(value(text, "objstream_build_info{version=\"\(BuildInfo.version)\"}") == 1)
        let resident = try #require(value(text, "process_resident_memory_bytes"))
        #expect(resident > 1_000_000 && resident < 100_000_000_000)
        let start = try #require(value(text, "process_start_time_seconds"))
        let now = Date().timeIntervalSince1970
        #expect(start <= now + 1 && start > now - 24 * 3600)
        #expect(text.contains("# TYPE process_cpu_seconds_total counter\n"))
        #expect(text.contains("# TYPE process_open_fds gauge\n"))
        #expect(try #require(value(text, "process_open_fds")) >= 3)
    }

    @Test func readingOfAChildProcessCountsItsDescriptorsAndStartTime() throws {
        // A shell holding exactly stdin, stdout, stderr and descriptors 3, 4 and 5, then waiting.
        let launched = Date().timeIntervalSince1970
        let child = try ChildProcess("/bin/sh", ["-c", "exec 3</dev/null 4</dev/null 5</dev/null; exec sleep 300"])
        let running = Date().timeIntervalSince1970
        defer { child.stop(signal: SIGKILL) }
        let path = "/proc/\(child.pid)"
        // Wait until the shell has become sleep and sleeps (state S): right after exec the
        // new image may not have a resident page yet.
        var reading: ProcessMetrics.Reading?
        _ = eventually {
            let stat = (try? String(contentsOfFile: path + "/stat", encoding: .utf8)) ?? ""
            if stat.contains("(sleep) S") { reading = ProcessMetrics.read(process: path) }
            return reading != nil
        }
        let r = try #require(reading)
        // Foundation's Process may hand the child one descriptor of its own beyond 0...5, so compare with the listing.
        let listed = try FileManager.default.contentsOfDirectory(atPath: path + "/fd").compactMap { Int($0) }
        #expect(Set(0...5).isSubset(of: listed))
        #expect(r.openFileDescriptors == Int64(listed.count))
        // The boot time in /proc/stat has whole seconds: the start time is within a second of the launch.
        #expect(r.startTimeSeconds >= launched.rounded(.down) - 1 && r.startTimeSeconds <= running + 1,
                "\(r.startTimeSeconds) vs \(launched)...\(running)")
        #expect(r.residentBytes > 0 && r.residentBytes < 64 << 20)
        #expect(r.cpuSeconds >= 0 && r.cpuSeconds < 1)
    }

    @Test func cpuSecondsGrowWithWork() throws {
        // Spin until this thread has used 0.2 s of CPU (not of wall time: a busy machine gives less).
        func threadCPUSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        let before = try #require(ProcessMetrics.read()).cpuSeconds
        let start = threadCPUSeconds()
        var spin: UInt64 = 0
        while threadCPUSeconds() - start < 0.2 { spin &+= UInt64.random(in: 0...1) }
        let after = try #require(ProcessMetrics.read()).cpuSeconds
        #expect(after - before >= 0.1, "spun \(spin)")
    }

    @Test func promtoolAcceptsTheSharedRegistryWithProcessMetrics() throws {
        ProcessMetrics.register(on: .shared)
        let text = MetricsRegistry.shared.render()
        #expect(text.contains("process_cpu_seconds_total "))
        let result = try ChildProcess.run(try RequiredTool.path("promtool", package: "prometheus"), ["check", "metrics"], stdin: Array(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test func promtoolFlagsABrokenExposition() throws {
        let broken = "# TYPE objstream_bad counter\nobjstream_bad{le=\"x} 1\n"
        let result = try ChildProcess.run(try RequiredTool.path("promtool", package: "prometheus"), ["check", "metrics"], stdin: Array(broken.utf8))
        #expect(result.status != 0)
    }
}
