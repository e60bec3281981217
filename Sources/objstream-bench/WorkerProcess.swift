import Foundation

/// An `objstream-bench --worker` child process whose standard output is its result.
final class WorkerProcess {
    private let process = Process()
    private let output = Pipe()

    /// Starts a worker.
    /// - Parameters:
    ///   - arguments: The arguments after `--worker`.
    ///   - environment: Variables to set on top of this process's environment.
    /// - Throws: When the process cannot start.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = Executables.bench
        process.arguments = ["--worker"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        try process.run()
    }

    /// Whether the worker still runs.
    var isRunning: Bool { process.isRunning }

    /// Reads the worker's output to its end and waits for its exit.
    /// - Returns: What it wrote to standard output, and its exit status.
    func finish() -> (output: Data, status: Int32) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (data, process.terminationStatus)
    }

    /// Runs a worker to its end.
    /// - Parameters:
    ///   - arguments: The arguments after `--worker`.
    ///   - environment: Variables to set on top of this process's environment.
    /// - Returns: What it wrote to standard output, and its exit status.
    /// - Throws: When the process cannot start.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (output: Data, status: Int32) {
        try WorkerProcess(arguments, environment: environment).finish()
    }
}
