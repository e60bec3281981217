import Foundation

/// liblz4's own compression speed on the benchmark's text: `lz4 -b1 -e1 -B5` (level 1, 256 KiB
/// blocks, as the sender compresses) over 64 MiB of the `lz4-text` payload, for the lz4 rows to
/// be compared with.
enum LZ4Baseline {
    /// Runs the `lz4` command's benchmark on the text payload.
    /// - Returns: Compression speed in gigabytes per second (of uncompressed bytes).
    /// - Throws: ``BenchError`` naming what failed (`lz4` missing: `make deps` installs it).
    static func run() throws -> Double {
        let text = BenchWorker.payload(for: BenchCase(objectSize: 64 << 20, streams: 1, mode: .lz4Text, seconds: 0))
        let path = NSTemporaryDirectory() + "objstream-bench-lz4-\(getpid()).txt"
        try Data(text).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let lz4 = Process()
        let output = Pipe()
        lz4.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lz4.arguments = ["lz4", "-b1", "-e1", "-B5", path]
        lz4.standardOutput = output
        lz4.standardError = output
        try lz4.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        lz4.waitUntilExit()
        // The last progress line: "1#name : 67108864 -> 27428801 (2.447), 1153.3 MB/s , 3315.2 MB/s".
        let printed = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "\n")
        guard lz4.terminationStatus == 0,
            let line = printed.split(separator: "\n").last(where: { $0.contains("MB/s") }),
            let speed = line.split(separator: ",").dropFirst().first.flatMap({ field in
                Double(field.replacingOccurrences(of: "MB/s", with: "").trimmingCharacters(in: .whitespaces))
            })
        else { throw BenchError("lz4 -b1 failed (exit \(lz4.terminationStatus)); is lz4 installed? (make deps)") }
        return speed / 1000
    }
}
