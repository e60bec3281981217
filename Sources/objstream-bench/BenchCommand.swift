import Foundation

/// `objstream-bench`: micro-benchmarks of the decoder and the sender, then the gateway
/// driven over loopback by the sender, every row against the `iperf3` baseline.
enum BenchCommand {
    static let usage = """
        usage: objstream-bench [--quick] [--micro] [--only TEXT] [--repeat N] [--pairs N] [--out FILE.json]

          --quick     a one-minute subset of the matrix (make bench-quick)
          --micro     only the in-process micro-benchmarks (decoder, sender dry run)
          --only TEXT only the matrix cases whose name contains TEXT (like "1MiB x1 plain mem")
          --repeat N  runs per case; the table shows the median and the spread (default 3, quick 1)
          --pairs N   instead of the matrix: each confirmed case (of --only) against the same
                      case without confirmation, N alternating pairs, and the median ratio
          --out FILE  also write every result as JSON to FILE
        """

    /// Runs the benchmark, or one worker of it.
    /// - Parameter arguments: The command line after the executable's name.
    /// - Returns: 0 when every row was verified, 1 when one was not, 2 for a usage error or a failed run.
    static func run(_ arguments: [String]) -> Int32 {
        if arguments.first == "--worker" { return runWorker(Array(arguments.dropFirst())) }
        var micro = false
        var quick = false
        var repeats: Int?
        var only: String?
        var out: String?
        var pairs: Int?
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            func value() -> String? {
                i += 1
                return i < arguments.count ? arguments[i] : nil
            }
            switch argument {
            case "--micro": micro = true
            case "--quick": quick = true
            case "--repeat":
                guard let v = value(), let n = Int(v), n > 0 else { return fail("--repeat needs a positive number") }
                repeats = n
            case "--pairs":
                guard let v = value(), let n = Int(v), n > 0 else { return fail("--pairs needs a positive number") }
                pairs = n
            case "--only":
                guard let v = value() else { return fail("--only needs a text") }
                only = v
            case "--out":
                guard let v = value() else { return fail("--out needs a file") }
                out = v
            case "--config":
                _ = value()  // accepted for `make bench`; the bench uses its own loopback gateway
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown option \(argument)")
            }
            i += 1
        }
        do {
            var report = BenchReport()
            if let pairs {
                BenchText.say("confirmed delivery against the same case without it, \(pairs) alternating pairs:")
                let cases = BenchCase.matrix(quick: quick).filter { $0.confirmed && (only.map($0.name.contains) ?? true) }
                report.pairs = try cases.map { try PairedBenchmark.run($0, count: pairs) }
                if let out { try write(report, to: out) }
                return report.pairs.allSatisfy(\.verified) ? 0 : 1
            }
            report.decoder = try runDecoderBenchmarks(quick: quick)
            report.dryRun = try runDryRun(quick: quick)
            if !micro {
                // The baseline is measured right before every run: on a shared or virtual
                // machine the ceiling drifts, and a ratio is only fair against its neighbour.
                BenchText.say(
                    "\nbaseline: iperf3 -l 1M, one loopback stream (-P N for rows sent by several processes), "
                        + "2 s before every run; ratios are to those runs\n")
                BenchText.say(BenchReport.tableHeader)
                for benchCase in BenchCase.matrix(quick: quick) where only.map({ benchCase.name.contains($0) }) ?? true {
                    var runs: [StreamBenchmark.Run] = []
                    for _ in 0..<(repeats ?? (quick ? 1 : 3)) {
                        let baseline = try BaselineBenchmark.run(seconds: 2, streams: benchCase.baselineStreams)
                        var run = try StreamBenchmark.run(benchCase)
                        run.baselineGBps = baseline
                        runs.append(run)
                    }
                    let row = BenchReport.Row(name: benchCase.name, runs: runs)
                    BenchText.say(row.line)
                    report.rows.append(row)
                }
                report.baselineGBps = report.rows.flatMap { $0.runs.map(\.baselineGBps) }.sorted().middle
                BenchText.say(String(format: "\nbaseline median over the run: %.2f GB/s", report.baselineGBps))
                let textRows = report.rows.filter { $0.name.contains("lz4-text") }
                if !textRows.isEmpty {
                    let lz4 = try LZ4Baseline.run()
                    report.lz4BaselineGBps = lz4
                    BenchText.say(String(format: "\nlz4 -b1 -e1 -B5 on the lz4-text payload: %.2f GB/s compression", lz4))
                    for row in textRows {
                        // Uncompressed GB the sender moves per CPU second, against liblz4's own speed.
                        let perCPU = Double(1 << 30) / 1e9 / row.senderCPUPerGiB
                        BenchText.say(
                            "  " + row.name.padding(toLength: BenchReport.nameWidth, withPad: " ", startingAt: 0)
                                + String(format: " sender %.2f GB per CPU second: %.2fx of lz4 -b1", perCPU, perCPU / lz4))
                    }
                }
                if !quick, only == nil {
                    report.memory = try MemoryBenchmark.run()
                    BenchText.say("\n" + report.memory!.summary)
                }
            }
            if let out { try write(report, to: out) }
            return report.rows.allSatisfy(\.verified) ? 0 : 1
        } catch {
            return fail("\(error)")
        }
    }

    private static func write(_ report: BenchReport, to out: String) throws {
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: out).deletingLastPathComponent(), withIntermediateDirectories: true)
        try report.json().write(to: URL(fileURLWithPath: out))
        BenchText.say("\nresults written to \(out)")
    }

    private static func runDecoderBenchmarks(quick: Bool) throws -> [DecoderBenchmark.Result] {
        BenchText.say("decoder alone, in memory:")
        BenchText.say("  object    chunk      GB/s    headers/s")
        var results: [DecoderBenchmark.Result] = []
        for (size, chunk) in [(1 << 10, 1 << 20), (1 << 20, 1 << 20), (1 << 10, 4 << 10), (1 << 20, 4 << 10)] {
            let r = try DecoderBenchmark.run(objectSize: size, chunkSize: chunk, minimumBytes: quick ? 256 << 20 : 2 << 30)
            results.append(r)
            BenchText.say(
                "  " + BenchText.columns([
                    (BenchText.size(size), 6), (BenchText.size(chunk), 8), (String(format: "%.2f", r.gigabytesPerSecond), 9),
                ]) + "  " + BenchText.pad(String(format: "%.0f", r.headersPerSecond), 11))
        }
        return results
    }

    /// The sender alone: `AIS_STREAM_DRY_RUN=true` encodes everything and discards it.
    private static func runDryRun(quick: Bool) throws -> [BenchReport.DryRun] {
        BenchText.say("\nsender alone (AIS_STREAM_DRY_RUN=true, encode only):")
        BenchText.say("  object     GB/s    objects/s   CPU s/GiB")
        var results: [BenchReport.DryRun] = []
        for size in [1 << 10, 1 << 20] {
            let benchCase = BenchCase(objectSize: size, streams: 1, seconds: quick ? 1 : 3)
            let worker = try WorkerProcess.run(
                ["--url", "http://127.0.0.1:9/v1/objstream/dry"] + benchCase.workerArguments,
                environment: ["AIS_STREAM_DRY_RUN": "true"])
            guard let r = try? JSONDecoder().decode(BenchWorker.Result.self, from: worker.output) else {
                throw BenchError("the dry-run worker failed (exit \(worker.status))")
            }
            let row = BenchReport.DryRun(
                objectSize: size, gigabytesPerSecond: Double(r.bytes) / r.seconds / 1e9,
                objectsPerSecond: Double(r.objects) / r.seconds, cpuPerGiB: r.cpuSeconds / (Double(r.bytes) / Double(1 << 30)))
            results.append(row)
            BenchText.say(
                "  " + BenchText.columns([
                    (BenchText.size(size), 6), (String(format: "%.2f", row.gigabytesPerSecond), 8),
                    (String(format: "%.0f", row.objectsPerSecond), 12), (String(format: "%.3f", row.cpuPerGiB), 11),
                ]))
        }
        return results
    }

    /// `objstream-bench --worker --url URL <case arguments>`: one sender run, its result as JSON on stdout.
    private static func runWorker(_ arguments: [String]) -> Int32 {
        var values: [String: String] = [:]
        var i = 0
        while i + 1 < arguments.count {
            values[arguments[i]] = arguments[i + 1]
            i += 2
        }
        if let idle = values["--idle"].flatMap({ Int($0) }), let url = values["--url"] {
            do {
                BenchText.say(String(try BenchWorker.idleStreams(count: idle, url: url)))
                return 0
            } catch {
                return fail("idle worker: \(error)")
            }
        }
        guard let url = values["--url"], let size = values["--size"].flatMap({ Int($0) }),
            let streams = values["--streams"].flatMap({ Int($0) }),
            let mode = values["--mode"].flatMap({ BenchCase.Mode(rawValue: $0) }),
            let source = values["--source"].flatMap({ BenchCase.Source(rawValue: $0) }),
            let chunk = values["--chunk"].flatMap({ Int($0) }), let seconds = values["--seconds"].flatMap({ Double($0) })
        else { return fail("--worker: incomplete case arguments \(arguments)") }
        do {
            let benchCase = BenchCase(
                objectSize: size, streams: streams, mode: mode, source: source, chunkSize: chunk, seconds: seconds,
                confirmed: values["--confirmed"] == "true",
                writer: values["--writer"].flatMap { BenchCase.Writer(rawValue: $0) } ?? .objstream)
            let result = benchCase.writer == .preframed
                ? try PreframedWriter.run(benchCase, url: url)
                : try BenchWorker.run(benchCase, url: url, totalBytes: values["--total"].flatMap { Int64($0) })
            FileHandle.standardOutput.write(try JSONEncoder().encode(result))
            return 0
        } catch {
            return fail("worker: \(error)")
        }
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("objstream-bench: \(message)\n".utf8))
        return 2
    }
}
