import Foundation

/// The executables the benchmark starts: itself (as `--worker`) and the `objstream` beside it.
enum Executables {
    /// This executable, `objstream-bench`.
    static let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()

    /// The `objstream` binary of the same build, beside this executable (like `.build/release/objstream`).
    /// - Returns: Its URL.
    /// - Throws: `BenchError` when it is not there.
    static func objstream() throws -> URL {
        let url = bench.deletingLastPathComponent().appendingPathComponent("objstream")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BenchError("\(url.path) not found; build it beside objstream-bench (swift build -c release)")
        }
        return url
    }
}
