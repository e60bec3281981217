/// One row of the benchmark matrix: what the sender sends, and how.
struct BenchCase: Sendable, Hashable {
    /// How object data is framed and compressed.
    enum Mode: String, Sendable, CaseIterable {
        /// Sized objects, plain frames.
        case plain
        /// Sized objects as 128 KiB PDUs.
        case pdu
        /// lz4 over compressible (text-like) data.
        case lz4Text = "lz4-text"
        /// lz4 over random data.
        case lz4Random = "lz4-random"
    }

    /// Where object bytes come from.
    enum Source: String, Sendable {
        /// One reused buffer in memory.
        case memory
        /// A file, sent with `sendfile(2)`.
        case file
    }

    /// Who writes the stream.
    enum Writer: String, Sendable {
        /// objstream's sender (`ObjStream`).
        case objstream
        /// ``PreframedWriter``: a buffer framed and chunked once, written again and again,
        /// so that the row measures the receiver alone.
        case preframed
    }

    var objectSize: Int
    /// Streams in all, split evenly over ``processes``.
    var streams: Int
    /// Sender processes, started together, each with its share of the streams.
    var processes = 1
    var mode: Mode = .plain
    var source: Source = .memory
    /// The sender's HTTP chunk size.
    var chunkSize: Int = 1 << 20
    /// How long the sender keeps sending.
    var seconds: Double
    /// Whether objects complete by the receiver's receipt (confirmed delivery, default bounds).
    var confirmed = false
    var writer = Writer.objstream

    /// A short name for the table: `1MiB x1 plain mem`.
    var name: String {
        var n = "\(BenchText.size(objectSize)) x\(streams) \(mode.rawValue) \(source == .memory ? "mem" : "file")"
        if chunkSize != 1 << 20 { n += " chunk=\(BenchText.size(chunkSize))" }
        if processes > 1 { n += " procs=\(processes)" }
        if writer == .preframed { n += " preframed" }
        if confirmed { n += " confirmed" }
        return n
    }

    /// The streams `iperf3` runs for this case's baseline (`-P`): one, or as many as the case
    /// when several processes send, so that the row compares with the same parallelism.
    var baselineStreams: Int { processes > 1 ? streams : 1 }

    /// The arguments that hand this case (or one process's share of it) to an
    /// `objstream-bench --worker` process.
    var workerArguments: [String] {
        [
            "--size", String(objectSize), "--streams", String(streams / processes), "--mode", mode.rawValue,
            "--source", source.rawValue, "--chunk", String(chunkSize), "--seconds", String(seconds),
            "--confirmed", String(confirmed), "--writer", writer.rawValue,
        ]
    }

    /// The full matrix (`make bench`) or a one-minute subset (`make bench-quick`).
    static func matrix(quick: Bool) -> [BenchCase] {
        let s = quick ? 2.0 : 5.0
        if quick {
            return [
                BenchCase(objectSize: 1 << 10, streams: 1, seconds: s),
                BenchCase(objectSize: 1 << 10, streams: 1, seconds: s, confirmed: true),
                BenchCase(objectSize: 1 << 20, streams: 1, seconds: s),
                BenchCase(objectSize: 1 << 20, streams: 1, seconds: s, confirmed: true),
                BenchCase(objectSize: 16 << 20, streams: 1, source: .file, seconds: s),
                BenchCase(objectSize: 1 << 20, streams: 1, chunkSize: 4 << 10, seconds: s),
                BenchCase(objectSize: 1 << 20, streams: 1, mode: .lz4Text, seconds: s),
            ]
        }
        var cases: [BenchCase] = []
        for size in [1 << 10, 64 << 10, 1 << 20, 16 << 20] {
            for streams in [1, 4] {
                cases.append(BenchCase(objectSize: size, streams: streams, seconds: s))
            }
        }
        // Confirmed delivery next to the same rows without it.
        for size in [1 << 10, 1 << 20] {
            cases.append(BenchCase(objectSize: size, streams: 1, seconds: s, confirmed: true))
        }
        for size in [1 << 20, 16 << 20] {
            cases.append(BenchCase(objectSize: size, streams: 1, source: .file, seconds: s))
        }
        for mode in [Mode.pdu, .lz4Text, .lz4Random] {
            for size in [64 << 10, 1 << 20] {
                cases.append(BenchCase(objectSize: size, streams: 1, mode: mode, seconds: s))
            }
        }
        cases.append(BenchCase(objectSize: 1 << 20, streams: 1, chunkSize: 4 << 10, seconds: s))
        // The gateway alone with 4 KiB HTTP chunks (as the reference's client writes them).
        cases.append(BenchCase(objectSize: 1 << 20, streams: 1, chunkSize: 4 << 10, seconds: s, writer: .preframed))
        // Many streams: 16 from 4 sender processes into one gateway, against `iperf3 -P 16`.
        cases.append(BenchCase(objectSize: 1 << 20, streams: 16, processes: 4, seconds: s))
        return cases
    }
}
