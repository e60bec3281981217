import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The `main` of a fuzz target: libFuzzer's driver when built with `-sanitize=fuzzer`
/// (and `-DOBJSTREAM_LIBFUZZER`), else a replayer that runs files through the same entry point.
///
/// SwiftPM links every executable with `main` aliased to the module's own entry point, so a
/// target cannot lean on the `main` that `libclang_rt.fuzzer` brings: it keeps its `@main` and
/// hands libFuzzer the arguments with `LLVMFuzzerRunDriver`. Built without the sanitizer (the
/// package's ordinary `swift build`), the target links like any tool and replays inputs:
/// `objstream-fuzz-stream crash-1234 corpus/`.
public enum FuzzDriver {
    /// A target's `LLVMFuzzerTestOneInput`: the input's bytes and their count; returns 0.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs the fuzz target and exits with its status.
    /// - Parameter test: The target's `LLVMFuzzerTestOneInput`.
    /// - Returns: Never; the process exits with libFuzzer's status, or 0 after a replay.
    public static func main(_ test: TestOneInput) -> Never {
        #if OBJSTREAM_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
        #else
        exit(replay(CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("-") }, test))
        #endif
    }

    /// Runs every file named, and every file in every directory named, through `test`.
    /// - Parameters:
    ///   - paths: Files and directories (libFuzzer's `-flag=value` arguments are left out before).
    ///   - test: The target's entry point.
    /// - Returns: The exit status: 0, or 1 when a path cannot be read.
    static func replay(_ paths: [String], _ test: TestOneInput) -> CInt {
        var count = 0
        for path in paths {
            let files = Self.files(at: path)
            guard !files.isEmpty else {
                warn("cannot read \(path)")
                return 1
            }
            for file in files {
                guard let bytes = Self.contents(of: file) else {
                    warn("cannot read \(file)")
                    return 1
                }
                // Named first, so that the input that crashes is the last one named.
                warn("running \(file)")
                _ = bytes.withUnsafeBufferPointer { test($0.baseAddress, $0.count) }
                count += 1
            }
        }
        print("\(count) inputs ran without a crash")
        return 0
    }

    /// Writes a line to standard error; a failed write is dropped (there is nowhere to report it).
    private static func warn(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { try? standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// File descriptor 2; a static, so never closed.
    private static let standardError = FileDescriptor(adopting: 2)

    /// The path itself when it is a file, the files in it (sorted) when it is a directory.
    private static func files(at path: String) -> [String] {
        guard let dir = opendir(path) else { return access(path, R_OK) == 0 ? [path] : [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withDirectoryEntryName(entry) { String(decoding: $0, as: UTF8.self) }
            if name != "." && name != ".." { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    /// A file's bytes, nil when it cannot be read.
    private static func contents(of path: String) -> [UInt8]? {
        guard let file = try? FileDescriptor(opening: path, flags: O_RDONLY) else { return nil }
        defer { _ = file.close() }
        return try? file.readToEnd()
    }
}

#if OBJSTREAM_LIBFUZZER
/// libFuzzer's driver, for a program that has a `main` of its own.
/// The corresponding C function is `LLVMFuzzerRunDriver`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: FuzzDriver.TestOneInput
) -> CInt
#endif
