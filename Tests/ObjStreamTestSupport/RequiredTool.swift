import Foundation

/// A program that tests need and `make deps` installs from a Debian package: a test that
/// uses it fails, naming the package, when it is missing; it never skips.
public enum RequiredTool {
    /// Why a tool could not be found.
    public struct Missing: Error, CustomStringConvertible {
        /// The message, naming the program and the Debian package that brings it.
        public var description: String
    }

    /// The absolute path of a program in `PATH`.
    /// - Parameters:
    ///   - name: The program, like `promtool`.
    ///   - package: The Debian package that installs it, like `prometheus`.
    /// - Returns: The path of the executable.
    /// - Throws: ``Missing`` naming the package when no executable of that name is in `PATH`.
    public static func path(_ name: String, package: String) throws -> String {
        let search = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in search.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(description: "\(name) not found in PATH: install the Debian package '\(package)' (make deps does)")
    }
}
