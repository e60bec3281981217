import ObjStreamSend
import Synchronization

/// A reopenable source over bytes in memory that counts its reopens and fails the reopens
/// whose number (1, 2, ...) is listed.
final class CountingSource: ReopenableSource {
    /// Why a listed reopen failed.
    struct ReopenFailure: Error, CustomStringConvertible {
        var number: Int
        var description: String { "reopen #\(number) failed on purpose" }
    }

    private let bytes: BytesSource
    private let reopens: Atomic<Int>
    private let failing: Set<Int>

    /// Creates a source.
    /// - Parameters:
    ///   - bytes: The object's bytes.
    ///   - failing: The reopens that throw ``ReopenFailure``.
    init(_ bytes: [UInt8], failing: Set<Int> = []) {
        self.bytes = BytesSource(bytes)
        self.reopens = Atomic(0)
        self.failing = failing
    }

    /// How often ``reopen()`` was called.
    var reopenCount: Int { reopens.load(ordering: .relaxed) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try bytes.read(into: buffer) }

    func close() { bytes.close() }

    func reopen() throws -> any ObjectSource {
        let number = reopens.add(1, ordering: .relaxed).newValue
        if failing.contains(number) { throw ReopenFailure(number: number) }
        return BytesSource(bytes.bytes)
    }
}
