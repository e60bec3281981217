#if canImport(Glibc)
import Glibc
#endif

/// Where an object's bytes come from: read sequentially by the sender thread, closed
/// exactly once by the completion path.
///
/// Conformers may offer faster paths: ``withContiguousBytes(_:)`` lets the sender
/// hand memory straight to `writev`, ``fileRegion`` lets it map the file or use `sendfile(2)`.
public protocol ObjectSource: Sendable {
    /// Reads the next bytes.
    /// - Parameter buffer: Where to put them.
    /// - Returns: The number of bytes read; 0 at the end.
    /// - Throws: Any error; the stream then terminates with ``SendError/Code/sourceFailed``.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// Releases what the source holds. Called once, after the object is completed.
    func close()

    /// The file and offset of the object's bytes, when they can be mapped or sent with `sendfile(2)`.
    var fileRegion: FileRegion? { get }

    /// Calls `body` with all of the object's bytes when they are in memory.
    /// - Parameter body: Receives the bytes, valid during the call.
    /// - Returns: `body`'s result, or nil when the bytes are not in contiguous memory.
    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R?
}

extension ObjectSource {
    public var fileRegion: FileRegion? { nil }

    public func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? { nil }
}
