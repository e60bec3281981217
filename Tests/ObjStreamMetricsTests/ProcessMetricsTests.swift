import Foundation
import ObjStreamMetrics
import ObjStreamTestSupport
import Testing

/// `objstream_process_*` from `/proc`, and `promtool check metrics` on the rendered text.
@Suite struct ProcessMetricsTests {
    /// The value of the one sample line starting with `series + " "`.
    private func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func processFamiliesReportThisProcessFromProc() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(on: registry)
        let text = registry.render()
        #expect(value(text, "objstream_build_info{version=\"\(ProcessMetrics.version)\"}") == 1)
        let resident = try #require(value(text, "objstream_process_resident_memory_bytes"))
        #expect(resident > 1_000_000 && resident < 100_000_000_000)
        let start = try #require(value(text, "objstream_process_start_time_seconds"))
        let now = Date().timeIntervalSince1970
        #expect(start <= now + 1 && start > now - 24 * 3600)
        #expect(text.contains("# TYPE objstream_process_cpu_seconds_total counter\n"))
        #expect(text.contains("# TYPE objstream_process_open_fds gauge\n"))
        #expect(try #require(value(text, "objstream_process_open_fds")) >= 3)
    }

    @Test func openFileDescriptorsFollowOpenAndClose() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(on: registry)
        var pipes: [[Int32]] = []
        let before = try #require(ProcessMetrics.read()).openFileDescriptors
        for _ in 0..<50 {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            pipes.append(fds)
        }
        let during = try #require(value(registry.render(), "objstream_process_open_fds"))
        for fds in pipes { close(fds[0]); close(fds[1]) }
        // Other suites run in parallel in this process and open descriptors of their own, so allow slack above.
        #expect(during >= Double(before + 100) - 10)
        #expect(during <= Double(before + 100) + 50)
    }

    @Test func cpuSecondsGrowWithWork() throws {
        let before = try #require(ProcessMetrics.read()).cpuSeconds
        let deadline = ContinuousClock.now + .milliseconds(300)
        var spin: UInt64 = 0
        while ContinuousClock.now < deadline { spin &+= UInt64.random(in: 0...1) }
        let after = try #require(ProcessMetrics.read()).cpuSeconds
        #expect(after - before >= 0.1, "spun \(spin)")
    }

    @Test func promtoolAcceptsTheSharedRegistryWithProcessMetrics() throws {
        ProcessMetrics.register(on: .shared)
        let text = MetricsRegistry.shared.render()
        #expect(text.contains("objstream_process_cpu_seconds_total "))
        let result = try ChildProcess.run("promtool", ["check", "metrics"], stdin: Array(text.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test func promtoolFlagsABrokenExposition() throws {
        let broken = "# TYPE objstream_bad counter\nobjstream_bad{le=\"x} 1\n"
        let result = try ChildProcess.run("promtool", ["check", "metrics"], stdin: Array(broken.utf8))
        #expect(result.status != 0)
    }
}
