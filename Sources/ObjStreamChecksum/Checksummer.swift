import CISAL
import CNettle
import CXXHash
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The streaming checksum of one type, computed by the C libraries: libxxhash (XXH64),
/// nettle (MD5, SHA-256, SHA-512) and ISA-L (CRC-32C).
///
/// Reusable: ``finalize()`` returns the value and starts over, so a receiver keeps one
/// checksummer per type and allocates nothing per object (its state is allocated once,
/// by ``init(_:)``); ``update(_:)`` allocates nothing, ``finalize()`` only the returned
/// string. Not `Sendable`: one thread at a time feeds it.
///
/// CRC-32C is ISA-L's `crc32_iscsi`, which neither inverts its initial value nor its
/// result: the standard CRC-32C (`123456789` gives `e3069283`) starts the running value
/// at `0xFFFFFFFF`, passes it from one call to the next as it is, and xors the last
/// result with `0xFFFFFFFF`.
public final class Checksummer {
    /// The type of checksum computed.
    public let type: ChecksumType

    private enum State {
        case xxh64(OpaquePointer)
        case md5(UnsafeMutablePointer<md5_ctx>)
        case sha256(UnsafeMutablePointer<sha256_ctx>)
        case sha512(UnsafeMutablePointer<sha512_ctx>)
        /// The running value lives in ``crc``.
        case crc32c
    }

    private let state: State
    private var crc = Checksummer.crcInitial
    /// The finished digest, before it becomes hex; big enough for SHA-512.
    private let digest = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)

    private static let crcInitial: UInt32 = 0xFFFF_FFFF
    private static let crcFinalXor: UInt32 = 0xFFFF_FFFF
    /// The most one `crc32_iscsi` call takes (its length is an `int`).
    private static let crcMaxChunk = 1 << 30

    /// Creates a checksummer, ready for the first object's bytes.
    ///
    /// The corresponding C functions are `XXH64_createState`, `nettle_md5_init`,
    /// `nettle_sha256_init` and `nettle_sha512_init`.
    /// - Parameter type: The type of checksum to compute.
    public init(_ type: ChecksumType) {
        self.type = type
        switch type.algorithm {
        case .xxh64:
            guard let s = XXH64_createState() else { fatalError("XXH64_createState: out of memory") }
            state = .xxh64(s)
        case .md5: state = .md5(.allocate(capacity: 1))
        case .sha256: state = .sha256(.allocate(capacity: 1))
        case .sha512: state = .sha512(.allocate(capacity: 1))
        case .crc32c: state = .crc32c
        }
        reset()
    }

    deinit {
        switch state {
        case .xxh64(let s): XXH64_freeState(s)
        case .md5(let c): c.deallocate()
        case .sha256(let c): c.deallocate()
        case .sha512(let c): c.deallocate()
        case .crc32c: break
        }
        digest.deallocate()
    }

    /// Forgets the bytes fed so far: the next ``update(_:)`` starts a new object.
    ///
    /// The corresponding C functions are `XXH64_reset` (seed 0), `nettle_md5_init`,
    /// `nettle_sha256_init` and `nettle_sha512_init`.
    public func reset() {
        switch state {
        case .xxh64(let s): XXH64_reset(s, 0)
        case .md5(let c): nettle_md5_init(c)
        case .sha256(let c): nettle_sha256_init(c)
        case .sha512(let c): nettle_sha512_init(c)
        case .crc32c: crc = Self.crcInitial
        }
    }

    /// Feeds the next bytes of the object.
    ///
    /// The corresponding C functions are `XXH64_update`, `nettle_md5_update`,
    /// `nettle_sha256_update`, `nettle_sha512_update` and `crc32_iscsi`.
    /// - Parameter bytes: The bytes, in order after those fed before; may be empty.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let data = base.assumingMemoryBound(to: UInt8.self)
        switch state {
        case .xxh64(let s): XXH64_update(s, base, bytes.count)
        case .md5(let c): nettle_md5_update(c, bytes.count, data)
        case .sha256(let c): nettle_sha256_update(c, bytes.count, data)
        case .sha512(let c): nettle_sha512_update(c, bytes.count, data)
        case .crc32c:
            // crc32_iscsi only reads the buffer, though its parameter is not const.
            var p = UnsafeMutablePointer(mutating: data)
            var left = bytes.count
            while left > 0 {
                let n = min(left, Self.crcMaxChunk)
                crc = crc32_iscsi(p, Int32(n), crc)
                p += n
                left -= n
            }
        }
    }

    /// The checksum of the bytes fed since the last reset, as STORE.md writes it; then
    /// starts over for the next object.
    ///
    /// The corresponding C functions are `XXH64_digest`, `nettle_md5_digest`,
    /// `nettle_sha256_digest` and `nettle_sha512_digest`.
    /// - Returns: Lowercase hex: the digest's bytes in order; for `xxhash` and `crc32c`
    ///   the integer value big-endian (16 and 8 digits).
    public func finalize() -> String {
        let size = type.digestSize
        switch state {
        case .xxh64(let s): storeBigEndian(XXH64_digest(s))
        case .md5(let c): nettle_md5_digest(c, size, digest)
        case .sha256(let c): nettle_sha256_digest(c, size, digest)
        case .sha512(let c): nettle_sha512_digest(c, size, digest)
        case .crc32c: storeBigEndian(crc ^ Self.crcFinalXor)
        }
        reset()
        return String(unsafeUninitializedCapacity: 2 * size) { out in
            for i in 0..<size {
                out[2 * i] = Self.hexDigit(digest[i] >> 4)
                out[2 * i + 1] = Self.hexDigit(digest[i] & 0x0F)
            }
            return 2 * size
        }
    }

    /// The checksum of bytes in memory.
    /// - Parameters:
    ///   - type: The type of checksum.
    ///   - bytes: The whole object.
    /// - Returns: The value, as ``finalize()`` returns it.
    public static func hex(_ type: ChecksumType, of bytes: UnsafeRawBufferPointer) -> String {
        let checksummer = Checksummer(type)
        checksummer.update(bytes)
        return checksummer.finalize()
    }

    /// The size of the one buffer that ``hex(_:ofFile:)`` reads into.
    public static let fileBufferSize = 1 << 20

    /// The checksum of a file's contents, read with `read` into one buffer of
    /// ``fileBufferSize`` bytes.
    ///
    /// The corresponding C functions are `open` and `read`.
    /// - Parameters:
    ///   - type: The type of checksum.
    ///   - path: The file.
    /// - Returns: The value, as ``finalize()`` returns it.
    /// - Throws: ``ChecksumError`` (``ChecksumError/Code/unreadable``) naming the path and
    ///   the `errno` when the file cannot be opened or read.
    public static func hex(_ type: ChecksumType, ofFile path: String) throws(ChecksumError) -> String {
        try hex(type, ofFile: Array(path.utf8))
    }

    /// The checksum of a file's contents, by the exact bytes of its path (Linux paths need
    /// not be UTF-8); as ``hex(_:ofFile:)-(_,String)``.
    /// - Parameters:
    ///   - type: The type of checksum.
    ///   - pathBytes: The file's path.
    /// - Returns: The value, as ``finalize()`` returns it.
    /// - Throws: ``ChecksumError`` naming the path (repaired for display) and the `errno`.
    public static func hex(_ type: ChecksumType, ofFile pathBytes: [UInt8]) throws(ChecksumError) -> String {
        let path = String(decoding: pathBytes, as: UTF8.self)
        let file: FileDescriptor
        do {
            file = try FileDescriptor(opening: pathBytes, flags: O_RDONLY)
        } catch {
            throw unreadable(path, "open", error)
        }
        defer { file.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileBufferSize, alignment: 16)
        defer { buffer.deallocate() }
        let checksummer = Checksummer(type)
        while true {
            let n = retryingOnInterrupt { read(file.rawValue, buffer.baseAddress, buffer.count) }
            guard n >= 0 else { throw unreadable(path, "read", Errno(code: errno)) }
            if n == 0 { return checksummer.finalize() }
            checksummer.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    private static func unreadable(_ path: String, _ call: String, _ error: Errno) -> ChecksumError {
        ChecksumError(
            code: .unreadable, message: "\(call) \(path): \(error) (errno \(error.code))", path: path,
            errorNumber: error.code)
    }

    private func storeBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes in
            UnsafeMutableRawPointer(digest).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// One thread at a time feeds a checksummer; it is explicitly not `Sendable`.
@available(*, unavailable)
extension Checksummer: Sendable {}
