import Foundation

/// Where tests find the package, the golden vectors and the built `objstream` tool.
public enum TestPaths {
    /// The package root (the folder holding `Package.swift`).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `Tests/Vectors`: the golden streams captured from the reference (a copy of
    /// `../shared/vectors`, kept in the repository so that a clone anywhere has them).
    public static let vectors: URL = packageRoot.appendingPathComponent("Tests/Vectors")

    /// The `objstream` executable: `$OBJSTREAM_BIN`, else `.build/debug/objstream`.
    public static let objstreamBinary: URL = {
        if let path = ProcessInfo.processInfo.environment["OBJSTREAM_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/objstream")
    }()

    /// Reads a vector file.
    /// - Parameter name: The file name within the vectors folder.
    public static func vector(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: vectors.appendingPathComponent(name)))
    }

    /// A fresh, empty temporary folder.
    public static func temporaryDirectory(_ prefix: String = "objstream-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
