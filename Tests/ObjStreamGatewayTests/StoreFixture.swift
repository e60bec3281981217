import CFileSystem
import Foundation
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// A real gateway with file-store endpoints on a fresh folder, and the ways tests look at the
/// store: its files, `objstream store ls|get`, and raw extended attributes.
final class StoreFixture {
    let harness: GatewayHarness
    let root: URL
    let log = LineLog()

    /// Starts a gateway with one store endpoint per name, all on one fresh folder.
    /// - Parameter endpoints: Each endpoint's name and `store_sync`.
    init(endpoints: [(name: String, sync: StoreSync)] = [("store", .request)]) throws {
        harness = try GatewayHarness()
        root = try TestPaths.temporaryDirectory("objstream-store")
        let lines = log
        for (name, sync) in endpoints {
            try harness.endpoints.register(
                name,
                try FileStoreEndpoint(
                    directory: root.path, sync: sync, metrics: ReceiveMetrics(registry: harness.metrics),
                    log: { line in lines.items.withLock { $0.append(line) } }))
        }
    }

    /// Stops the gateway and removes the folder.
    func stop() {
        harness.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Every regular file under the store (hidden ones too), as sorted relative paths.
    func files() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let path = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder),
                !isFolder.boolValue
            {
                out.append(path)
            }
        }
        return out.sorted()
    }

    /// The stream body of objects, optionally as PDUs.
    static func body(_ objects: [StoreTestObject], pduSize: Int = 0) throws -> [UInt8] {
        var encoder = FrameEncoder(pduSize: pduSize)
        for object in objects { try encoder.appendObject(object.header, data: object.payload) }
        return encoder.bytes
    }

    /// Sends one stream of objects to an endpoint and reads the answer.
    func put(_ objects: [StoreTestObject], to endpoint: String = "store", pduSize: Int = 0, chunkSize: Int = 64 * 1024)
        throws -> RawHTTPClient.Response
    {
        try harness.put(endpoint, Self.body(objects, pduSize: pduSize), chunkSize: chunkSize)
    }

    /// The lines of `objstream store ls` of the folder.
    func listing() throws -> [String] {
        let result = try ChildProcess.run(TestPaths.objstreamBinary.path, ["store", "ls", root.path])
        guard result.status == 0 else {
            throw ChildProcess.Failure(description: "store ls exited \(result.status): \(result.stderr)")
        }
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The bytes `objstream store get` writes for an object (through a file: stdout is bytes).
    /// - Parameters:
    ///   - bucket: The bucket as `store ls` prints it.
    ///   - name: The name as `store ls` prints it.
    /// - Returns: The exit status, the bytes, and standard error.
    func get(_ bucket: String, _ name: String) throws -> (status: Int32, bytes: [UInt8], stderr: String) {
        let out = root.deletingLastPathComponent().appendingPathComponent("get-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" store get \"$1\" \"$2\" \"$3\" > \"$4\"", TestPaths.objstreamBinary.path, root.path, bucket, name, out.path])
        let bytes = (try? Data(contentsOf: out)).map { [UInt8]($0) } ?? []
        return (result.status, bytes, result.stderr)
    }

    /// The value of an extended attribute of a file below the store.
    /// - Parameters:
    ///   - relative: The file's path below the root.
    ///   - name: The attribute.
    /// - Returns: Its bytes, or nil when the file has no such attribute.
    func attribute(_ relative: String, _ name: String) -> [UInt8]? {
        let path = root.appendingPathComponent(relative).path
        let size = lgetxattr(path, name, nil, 0)
        guard size >= 0 else { return nil }
        var value = [UInt8](repeating: 0, count: size)
        let read = value.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
        return read == size ? value : nil
    }
}
