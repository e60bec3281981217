#if canImport(Glibc)
import Glibc
#endif
import ObjStreamWire

/// Writes one request body as HTTP/1.1 chunks of about `chunkSize` bytes, with
/// frames coalesced into one reused buffer (many frames per chunk, one system call)
/// and large payloads gathered into the same `sendmsg` without being copied.
///
/// With lz4 every frame byte goes through the encoder first, and the compressed
/// output is chunk-encoded. Without a connection (dry run) everything is encoded and
/// discarded at the system call. Confined to the stream's sender thread.
final class ChunkedBodyWriter {
    /// Payloads at least this large go out by reference (gathered), smaller ones are copied.
    static let gatherThreshold = 64 * 1024

    let chunkSize: Int
    private let capacity: Int
    private let buffer: UnsafeMutableRawPointer
    private var used = 0
    /// The request head, written in front of the first chunk.
    private var head: [UInt8] = []
    /// Whether the previous chunk (sent with `sendfile`) still needs its closing CRLF.
    private var pendingCRLF = false
    private let chunkHeader: UnsafeMutableRawPointer
    /// `\r\n0\r\n\r\n`: a chunk's closing CRLF, and the terminating chunk.
    private let constants: UnsafeMutableRawPointer
    private let iov: UnsafeMutablePointer<iovec>
    private let lz4: LZ4FrameEncoder?
    /// Where frames are assembled before compression, and where sources are read for it.
    private let scratch: UnsafeMutableRawPointer
    private let scratchCapacity: Int
    /// The connection of the current request; nil in a dry run.
    private(set) var connection: SocketConnection?
    /// Replaces a connection that was reset before it took a byte (see
    /// ``SocketConnection/isResetBeforeFirstByte(_:)``); nil: such a reset fails the request.
    private var redial: ((SystemError) throws(SendError) -> SocketConnection)?
    /// How many chunks went out so far: when it changes, everything appended before is on the wire.
    private(set) var chunksWritten = 0
    private var dryRun = false

    /// Creates a writer.
    /// - Parameters:
    ///   - chunkSize: The target chunk size.
    ///   - lz4: The encoder of a compressed stream, else nil.
    init(chunkSize: Int, lz4: LZ4FrameEncoder?) {
        self.chunkSize = chunkSize
        self.capacity = chunkSize + WireLimits.maxHeaderSize + 2 * ProtoHeader.size
        self.buffer = .allocate(byteCount: capacity, alignment: 16)
        self.chunkHeader = .allocate(byteCount: 32, alignment: 8)
        self.constants = .allocate(byteCount: 8, alignment: 8)
        for (i, b) in [UInt8]([13, 10, 48, 13, 10, 13, 10]).enumerated() {
            constants.storeBytes(of: b, toByteOffset: i, as: UInt8.self)
        }
        self.iov = .allocate(capacity: 5)
        self.lz4 = lz4
        self.scratchCapacity = lz4 == nil ? 0 : WireLimits.maxPDUSize + WireLimits.maxHeaderSize + 2 * ProtoHeader.size
        self.scratch = .allocate(byteCount: max(scratchCapacity, 16), alignment: 16)
    }

    deinit {
        buffer.deallocate()
        chunkHeader.deallocate()
        constants.deallocate()
        iov.deallocate()
        scratch.deallocate()
    }

    /// Frame bytes (before compression) written in the current request.
    private(set) var offset: Int64 = 0

    /// Whether frame bytes wait in the buffer for the next chunk.
    var hasBufferedBytes: Bool { used > 0 }

    /// Whether the stream is compressed.
    var isCompressed: Bool { lz4 != nil }

    /// Starts a request body: the head goes out with the first chunk.
    /// - Parameters:
    ///   - head: The request line and headers, ending with the empty line.
    ///   - connection: The connection, or nil to discard everything (dry run).
    ///   - redial: Called with the error when the peer reset the connection before it took
    ///     a byte (nothing of the request reached it): returns a new connection, on which the
    ///     same bytes go out again, or throws to fail the request. Nil: such a reset fails it.
    /// - Throws: ``SendError`` when lz4 cannot start a frame.
    func begin(
        head: [UInt8], connection: SocketConnection?,
        redial: ((SystemError) throws(SendError) -> SocketConnection)? = nil
    ) throws(SendError) {
        self.head = head
        self.connection = connection
        self.redial = redial
        self.dryRun = connection == nil
        used = 0
        offset = 0
        pendingCRLF = false
        if let lz4 {
            do throws(LZ4Failure<SendError>) {
                try lz4.begin { (bytes) throws(SendError) in try appendPlain(bytes) }
            } catch {
                throw Self.compressionError(error)
            }
        }
    }

    /// Forgets the connection of the current request (after it ended or broke).
    func detach() {
        connection = nil
        redial = nil
        used = 0
        head = []
        pendingCRLF = false
    }

    // MARK: frame bytes (the uncompressed stream)

    /// Lets `body` write up to `count` frame bytes in place, then takes what it wrote.
    /// - Parameters:
    ///   - count: The most bytes `body` writes; at most the largest PDU or header plus 32.
    ///   - body: Writes at the pointer and returns how many bytes it wrote.
    /// - Returns: What `body` returned.
    func produce(upTo count: Int, _ body: (UnsafeMutableRawPointer) throws(SendError) -> Int) throws(SendError) -> Int {
        if lz4 == nil {
            if capacity - used < count { try flush() }
            let n = try body(buffer + used)
            used += n
            offset += Int64(n)
            if used >= chunkSize { try flush() }
            return n
        }
        let n = try body(scratch)
        offset += Int64(n)
        try compress(UnsafeRawBufferPointer(start: scratch, count: n))
        return n
    }

    /// How many bytes ``produce(upTo:_:)`` can take without a flush (for reading sources).
    var roomForData: Int {
        if lz4 != nil { return scratchCapacity }
        let room = chunkSize - used
        return room > 0 ? room : chunkSize
    }

    /// Appends frame bytes by copying them.
    func write(_ bytes: UnsafeRawBufferPointer) throws(SendError) {
        offset += Int64(bytes.count)
        if lz4 != nil {
            try compress(bytes)
        } else {
            try appendPlain(bytes)
        }
    }

    /// Appends an object's payload: copied when small or compressed, else gathered
    /// into `sendmsg` by reference in pieces of at most a chunk.
    func writePayload(_ bytes: UnsafeRawBufferPointer) throws(SendError) {
        if lz4 != nil || bytes.count < Self.gatherThreshold {
            try write(bytes)
            return
        }
        offset += Int64(bytes.count)
        var rest = bytes
        while !rest.isEmpty {
            var take = min(rest.count, max(chunkSize - used, 1))
            // A short tail (under 1/16 of a chunk) rides along in this chunk rather than
            // costing a system call and a receiver callback of its own: a 1 MiB object after
            // its header is one chunk, not 1 MiB minus the header plus a crumb.
            if rest.count - take < min(Self.gatherThreshold, chunkSize / 16) { take = rest.count }
            try writeChunk(extra: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    /// Sends `count` bytes of a file with `sendfile(2)` (uncompressed streams only).
    /// - Returns: The bytes sent; fewer when the file ended early.
    func writeFile(_ region: FileRegion, count: Int) throws(SendError) -> Int {
        precondition(lz4 == nil)
        var offset = region.offset
        var total = 0
        while total < count {
            let piece = min(count - total, chunkSize)
            try writeChunk(extra: nil, extraLength: piece)
            guard let connection else {
                total += piece
                self.offset += Int64(piece)
                continue
            }
            let sent: Int
            do {
                sent = try connection.sendFile(region.descriptor, offset: &offset, count: piece)
            } catch {
                throw SendError(code: .network, message: "\(error)", cause: error)
            }
            pendingCRLF = true
            total += sent
            self.offset += Int64(sent)
            if sent < piece { return total }
        }
        return total
    }

    /// Ends the current object: with lz4, flushes the encoder so that the receiver can
    /// decode the object without waiting for more bytes.
    func endObject() throws(SendError) {
        guard let lz4 else { return }
        do throws(LZ4Failure<SendError>) {
            try lz4.flush { (bytes) throws(SendError) in try appendPlain(bytes) }
        } catch {
            throw Self.compressionError(error)
        }
    }

    // MARK: chunks

    /// Sends whatever is buffered as one chunk (and a pending CRLF).
    func flush() throws(SendError) {
        if used > 0 || !head.isEmpty {
            try writeChunk(extra: nil)
        } else if pendingCRLF {
            iov[0] = iovec(iov_base: constants, iov_len: 2)
            try send(count: 1)
            pendingCRLF = false
        }
    }

    /// Sends what is buffered and the terminating `0\r\n\r\n`: the body ends here.
    func finish() throws(SendError) {
        var n = 0
        let hasHead = !head.isEmpty
        if hasHead { n += 1 }
        if used > 0 {
            iov[n] = iovec(iov_base: chunkHeader, iov_len: chunkHeaderBytes(used))
            iov[n + 1] = iovec(iov_base: buffer, iov_len: used)
            iov[n + 2] = iovec(iov_base: constants, iov_len: 7)
            n += 3
        } else if pendingCRLF {
            iov[n] = iovec(iov_base: constants, iov_len: 7)
            n += 1
        } else {
            iov[n] = iovec(iov_base: constants + 2, iov_len: 5)
            n += 1
        }
        try sendWithHead(hasHead, count: n)
        head = []
        used = 0
        pendingCRLF = false
    }

    private func appendPlain(_ bytes: UnsafeRawBufferPointer) throws(SendError) {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(rest.count, capacity - used)
            (buffer + used).copyMemory(from: rest.baseAddress!, byteCount: take)
            used += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if used >= chunkSize { try flush() }
        }
    }

    private func compress(_ bytes: UnsafeRawBufferPointer) throws(SendError) {
        do throws(LZ4Failure<SendError>) {
            try lz4!.compress(bytes) { (out) throws(SendError) in try appendPlain(out) }
        } catch {
            throw Self.compressionError(error)
        }
    }

    /// One chunk: [head] + size line + buffered bytes + extra bytes (+ CRLF unless the
    /// extra bytes follow by `sendfile`).
    private func writeChunk(extra: UnsafeRawBufferPointer?, extraLength: Int = 0) throws(SendError) {
        let extraCount = extra?.count ?? extraLength
        var n = 0
        let hasHead = !head.isEmpty
        if hasHead { n += 1 }
        iov[n] = iovec(iov_base: chunkHeader, iov_len: chunkHeaderBytes(used + extraCount))
        n += 1
        if used > 0 {
            iov[n] = iovec(iov_base: buffer, iov_len: used)
            n += 1
        }
        if let extra, !extra.isEmpty {
            iov[n] = iovec(iov_base: UnsafeMutableRawPointer(mutating: extra.baseAddress!), iov_len: extra.count)
            n += 1
        }
        let closesItself = extra != nil || extraLength == 0
        if closesItself {
            iov[n] = iovec(iov_base: constants, iov_len: 2)
            n += 1
        }
        try sendWithHead(hasHead, count: n)
        head = []
        used = 0
        pendingCRLF = !closesItself
        chunksWritten &+= 1
    }

    /// Writes the chunk size line (after a pending CRLF) and returns its length.
    private func chunkHeaderBytes(_ size: Int) -> Int {
        var n = 0
        if pendingCRLF {
            chunkHeader.storeBytes(of: 13, toByteOffset: 0, as: UInt8.self)
            chunkHeader.storeBytes(of: 10, toByteOffset: 1, as: UInt8.self)
            n = 2
        }
        let digits = size == 0 ? 1 : (Int.bitWidth - size.leadingZeroBitCount + 3) / 4
        for i in 0..<digits {
            let nibble = (size >> (4 * (digits - 1 - i))) & 0xf
            let c = UInt8(nibble < 10 ? 48 + nibble : 87 + nibble)
            chunkHeader.storeBytes(of: c, toByteOffset: n + i, as: UInt8.self)
        }
        n += digits
        chunkHeader.storeBytes(of: 13, toByteOffset: n, as: UInt8.self)
        chunkHeader.storeBytes(of: 10, toByteOffset: n + 1, as: UInt8.self)
        pendingCRLF = false
        return n + 2
    }

    /// Sends `count` vectors, the first being the request head when `hasHead`.
    private func sendWithHead(_ hasHead: Bool, count: Int) throws(SendError) {
        var failure: SendError?
        head.withUnsafeMutableBytes { h in
            if hasHead { iov[0] = iovec(iov_base: h.baseAddress, iov_len: h.count) }
            do throws(SendError) {
                try send(count: count)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Writes `count` vectors; on a connection reset before its first byte, again on the
    /// connection that ``begin(head:connection:redial:)``'s `redial` gives.
    private func send(count: Int) throws(SendError) {
        guard !dryRun else { return }
        while true {
            guard let connection else {
                throw SendError(code: .network, message: "no connection to write to")
            }
            do {
                try connection.write(iov, count: count)
                return
            } catch {
                // The vectors are untouched: `write` advances them only past bytes that went out.
                guard connection.isResetBeforeFirstByte(error), let redial else {
                    throw SendError(code: .network, message: "\(error)", cause: error)
                }
                self.connection = try redial(error)
            }
        }
    }

    private static func compressionError(_ failure: LZ4Failure<SendError>) -> SendError {
        switch failure {
        case .consumer(let e): e
        case .lz4(let e): SendError(code: .compression, message: "\(e)", cause: e)
        }
    }
}
