/// A push-based decoder of the frames of one stream body (WIRE.md 2).
///
/// Feed it the body in chunks of any size and pull events until it needs more:
///
/// ```swift
/// var input = chunk
/// while let event = try decoder.next(from: &input) { ... }
/// ```
///
/// Data events are views into the chunk being fed, valid until the next call;
/// nothing is copied except frame and object headers that straddle two chunks,
/// which collect in one reused buffer. The decoded object header is not carried by
/// the event but held by the decoder (``header``), so that an event is two words
/// and the header is never copied on its way to the receiver. One decoder serves
/// one stream on one thread.
public final class StreamDecoder {
    /// What the decoder found next in the stream.
    public enum Event {
        /// An object's header was decoded: ``StreamDecoder/header`` holds it until the
        /// next `header` event; the object's data (if any) and ``objectEnd`` follow.
        case header
        /// The next bytes of the current object's data: a view into the fed chunk.
        case data(UnsafeRawBufferPointer)
        /// The current object is complete.
        case objectEnd
        /// A header-only object with a reserved opcode (``Opcode/fin`` is the end-of-stream marker).
        case marker(Opcode)
    }

    /// Where the current object's header lives: one allocation for the decoder's life, so
    /// that the header can be moved out and back (``withHeader(_:)``) without a copy.
    @usableFromInline let current: UnsafeMutablePointer<ObjectHeader> = {
        let p = UnsafeMutablePointer<ObjectHeader>.allocate(capacity: 1)
        p.initialize(to: ObjectHeader())
        return p
    }()

    /// The header of the current object, from its ``Event/header`` event until the next
    /// object header or marker is decoded.
    ///
    /// Read in place (a borrow, not a copy) for as long as the reading expression lasts.
    public var header: ObjectHeader {
        _read { yield current.pointee }
    }

    /// Calls `body` with the current object's header, lent without a copy.
    ///
    /// Passing ``header`` to a function copies it (every string and array retained,
    /// then released), since the compiler cannot know that the call leaves the decoder
    /// alone; here the header is moved out for the call and back in after it.
    /// For the package's receive path only: while `body` runs the decoder holds no header, so
    /// `body` must not use this decoder.
    /// - Parameter body: What to do with the header.
    /// - Throws: What `body` throws.
    @inlinable
    package func withHeader<E: Error>(_ body: (ObjectHeader) throws(E) -> Void) throws(E) {
        let lent = current.move()
        defer { current.initialize(to: lent) }
        try body(lent)
    }

    private var cursor: Cursor

    /// The sender id reported in errors (from the request, or from the last header).
    public var senderID: String { cursor.senderID }
    /// Bytes of the (decompressed) stream consumed so far.
    public var offset: Int64 { cursor.offset }
    /// Whether the end-of-stream marker has been seen.
    public var sawFin: Bool { cursor.sawFin }
    /// Objects decoded so far, markers not included.
    public var objectCount: Int { cursor.objectCount }

    /// Creates a decoder.
    /// - Parameters:
    ///   - senderID: The sender's node id, reported in errors.
    ///   - headerBuffer: The initial size of the buffer for straddling headers; it
    ///     grows on demand up to ``WireLimits/maxHeaderSize``.
    public init(senderID: String = "", headerBuffer: Int = WireLimits.defaultHeaderSize) {
        self.cursor = Cursor(senderID: senderID, headerBuffer: headerBuffer)
    }

    deinit {
        cursor.scratch.deallocate()
        current.deinitialize(count: 1)
        current.deallocate()
    }

    /// Whether the decoder stands between two frames, so that the body may end here.
    public var isAtFrameBoundary: Bool { cursor.isAtFrameBoundary }

    /// Decodes the next event from `input`, advancing it past what was consumed.
    /// - Parameter input: The rest of the chunk being fed.
    /// - Returns: The next event, or `nil` when `input` is used up and more is needed.
    /// - Throws: ``BrokenStreamError`` when the bytes are not a valid stream; the
    ///   decoder must not be used afterwards.
    public func next(from input: inout UnsafeRawBufferPointer) throws(BrokenStreamError) -> Event? {
        try cursor.next(from: &input, into: current)
    }

    /// Checks that the body may end here.
    /// - Throws: ``BrokenStreamError`` naming where the body ended when it ended inside a frame.
    public func finish() throws(BrokenStreamError) { try cursor.finish() }

    /// The error for a transport failure (reset, timeout, aborted request) at the current position.
    /// - Parameter cause: What failed, in words.
    /// - Returns: The broken-stream error to report.
    public func failure(_ cause: String) -> BrokenStreamError { cursor.failure(cause) }

    /// The decoder's state and the code that moves it: a struct, so that a call of ``next(from:)``
    /// checks exclusive access to it once, not once per field it touches.
    private struct Cursor {
        private enum State {
            case protoHeader
            case objectHeader(length: Int, pduStream: Bool)
            case objectData(remaining: Int64)
            case pduHeader
            case pduData(remaining: Int, last: Bool)
            case endOfObject
        }

        private var state = State.protoHeader
        var scratch: UnsafeMutableRawPointer
        private var scratchCapacity: Int
        private var partial = 0

        /// The sender id reported in errors (from the request, or from the last header).
        var senderID: String
        /// Bytes of the (decompressed) stream consumed so far.
        var offset: Int64 = 0
        /// Where the frame being decoded started.
        private var frameStart: Int64 = 0
        /// The current object's size (-1 when unknown) and the data bytes seen of it.
        private var objectSize: Int64 = 0
        private var objectReceived: Int64 = 0
        /// Whether the end-of-stream marker has been seen.
        var sawFin = false
        /// Objects decoded so far, markers not included.
        var objectCount = 0

        init(senderID: String, headerBuffer: Int) {
            self.senderID = senderID
            self.scratchCapacity = max(ProtoHeader.size, min(headerBuffer, WireLimits.maxHeaderSize))
            self.scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
        }

        /// Whether the decoder stands between two frames, so that the body may end here.
        var isAtFrameBoundary: Bool {
            switch state {
            case .protoHeader: partial == 0
            case .endOfObject: true
            default: false
            }
        }

        /// Decodes the next event from `input`, advancing it past what was consumed.
        /// - Parameter input: The rest of the chunk being fed.
        /// - Returns: The next event, or `nil` when `input` is used up and more is needed.
        /// - Throws: ``BrokenStreamError`` when the bytes are not a valid stream; the
        ///   decoder must not be used afterwards.
        mutating func next(
            from input: inout UnsafeRawBufferPointer, into current: UnsafeMutablePointer<ObjectHeader>
        ) throws(BrokenStreamError) -> Event? {
            while true {
                switch state {
                case .protoHeader:
                    guard let proto = try frameHeader(from: &input, naming: "proto") else { return nil }
                    if !proto.flags.isSubset(of: .pduStream) {
                        throw broken(
                            .objectHeaderInvalid, "object frame with flags \(hex(proto.flags.rawValue))", at: frameStart)
                    }
                    if proto.length > UInt64(WireLimits.maxHeaderSize) {
                        throw broken(
                            .protoHeaderLong,
                            "header length \(proto.length) over the \(WireLimits.maxHeaderSize)-byte maximum",
                            at: frameStart)
                    }
                    if proto.length == 0 {
                        throw broken(.objectHeaderInvalid, "header length 0", at: frameStart)
                    }
                    state = .objectHeader(length: Int(proto.length), pduStream: proto.flags.contains(.pduStream))

                case .objectHeader(let length, let pduStream):
                    guard let raw = take(length, from: &input) else { return nil }
                    do {
                        current.pointee = try HeaderCodec.decode(UnsafeRawBufferPointer(start: raw, count: length))
                    } catch {
                        throw broken(
                            .objectHeaderInvalid, "object header (hlen \(length)): \(error)",
                            at: frameStart + Int64(ProtoHeader.size) + Int64(error.offset), cause: error)
                    }
                    if !current.pointee.senderID.isEmpty { senderID = current.pointee.senderID }
                    let size = current.pointee.attributes.size
                    let opcode = current.pointee.opcode
                    if opcode.isReserved {
                        if size != 0 {
                            throw broken(
                                .objectHeaderInvalid, "reserved opcode \(opcode) with size \(size)", at: frameStart)
                        }
                        state = .protoHeader
                        if opcode == .fin { sawFin = true }
                        return .marker(opcode)
                    }
                    if size == WireLimits.unknownSize && !pduStream {
                        throw broken(.objectHeaderInvalid, "object of unknown size on a stream without PDUs", at: frameStart)
                    }
                    objectSize = size
                    objectReceived = 0
                    objectCount += 1
                    if size == 0 {
                        state = .endOfObject
                    } else if pduStream {
                        state = .pduHeader
                    } else {
                        state = .objectData(remaining: size)
                    }
                    return .header

                case .objectData(let remaining):
                    if input.isEmpty { return nil }
                    let n = Int(min(remaining, Int64(input.count)))
                    let data = consume(n, from: &input)
                    objectReceived += Int64(n)
                    state = remaining == Int64(n) ? .endOfObject : .objectData(remaining: remaining - Int64(n))
                    return .data(data)

                case .pduHeader:
                    guard let proto = try frameHeader(from: &input, naming: "PDU") else { return nil }
                    if !proto.flags.contains(.pdu) || proto.flags.contains(.message) {
                        throw broken(
                            .pduHeaderInvalid, "PDU header with flags \(hex(proto.flags.rawValue))", at: frameStart)
                    }
                    if proto.length > UInt64(WireLimits.maxPDUPayload) {
                        throw broken(
                            .pduHeaderInvalid,
                            "PDU length \(proto.length) over the \(WireLimits.maxPDUPayload)-byte maximum", at: frameStart)
                    }
                    let last = proto.flags.contains(.lastPDU)
                    let length = Int(proto.length)
                    if length == 0 && !last {
                        throw broken(.pduHeaderInvalid, "empty PDU that is not the last", at: frameStart)
                    }
                    if objectSize >= 0 {
                        let total = objectReceived + Int64(length)
                        if total > objectSize || (last && total != objectSize) {
                            throw broken(
                                .pduDataSize,
                                "PDUs carry \(total) bytes\(last ? "" : " so far") of an object of size \(objectSize)",
                                at: frameStart)
                        }
                    }
                    state = length == 0 ? .endOfObject : .pduData(remaining: length, last: last)

                case .pduData(let remaining, let last):
                    if input.isEmpty { return nil }
                    let n = min(remaining, input.count)
                    let data = consume(n, from: &input)
                    objectReceived += Int64(n)
                    if n < remaining {
                        state = .pduData(remaining: remaining - n, last: last)
                    } else {
                        state = last ? .endOfObject : .pduHeader
                    }
                    return .data(data)

                case .endOfObject:
                    state = .protoHeader
                    return .objectEnd
                }
            }
        }

        /// Checks that the body may end here.
        /// - Throws: ``BrokenStreamError`` naming where the body ended when it ended inside a frame.
        func finish() throws(BrokenStreamError) {
            switch state {
            case .protoHeader where partial == 0, .endOfObject:
                return
            case .protoHeader:
                throw broken(.protoHeader, "body ended after \(partial) of \(ProtoHeader.size) proto header bytes")
            case .objectHeader(let length, _):
                throw broken(.objectHeaderShort, "body ended after \(partial) of \(length) object header bytes")
            case .objectData:
                throw broken(
                    .objectDataEOF, "body ended after \(objectReceived) of \(objectSize) object bytes")
            case .pduHeader:
                throw broken(.pduHeaderShort, "body ended after \(partial) of \(ProtoHeader.size) PDU header bytes")
            case .pduData(let remaining, _):
                throw broken(.pduData, "body ended with \(remaining) bytes of a PDU missing")
            }
        }

        /// The error for a transport failure (reset, timeout, aborted request) at the current position.
        /// - Parameter cause: What failed, in words.
        /// - Returns: The broken-stream error to report.
        func failure(_ cause: String) -> BrokenStreamError {
            switch state {
            case .protoHeader, .endOfObject:
                broken(.protoHeader, "\(cause) at a frame boundary (after \(partial) proto header bytes)")
            case .objectHeader:
                broken(.objectHeaderShort, "\(cause) inside an object header")
            case .objectData:
                objectReceived == 0
                    ? broken(.objectData, "\(cause) before any of the object's \(objectSize) bytes")
                    : broken(.objectDataSize, "\(cause) after \(objectReceived) of the object's \(objectSize) bytes")
            case .pduHeader:
                broken(.pduHeaderShort, "\(cause) inside a PDU header")
            case .pduData:
                broken(.pduData, "\(cause) inside a PDU payload")
            }
        }

        // MARK: - Input handling

        /// Takes the 16 bytes of a proto or PDU header and checks its check word.
        /// - Parameters:
        ///   - input: The rest of the chunk being fed.
        ///   - what: `proto` or `PDU`, for the error.
        /// - Returns: The header, or nil until all its bytes have come.
        private mutating func frameHeader(
            from input: inout UnsafeRawBufferPointer, naming what: String
        ) throws(BrokenStreamError) -> ProtoHeader? {
            if partial == 0 { frameStart = offset }
            guard let raw = take(ProtoHeader.size, from: &input) else { return nil }
            let (proto, checked) = ProtoHeader.read(from: raw)
            if !checked { throw broken(.headerChecksum, "\(what) header check word does not match", at: frameStart) }
            return proto
        }

        /// Consumes `n` bytes that are known to be in `input`.
        private mutating func consume(_ n: Int, from input: inout UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            let slice = UnsafeRawBufferPointer(rebasing: input[..<n])
            input = UnsafeRawBufferPointer(rebasing: input[n...])
            offset += Int64(n)
            return slice
        }

        /// Returns `n` contiguous bytes, straight from `input` when they are all there,
        /// else collected in the scratch buffer across calls; `nil` until all `n` have come.
        private mutating func take(_ n: Int, from input: inout UnsafeRawBufferPointer) -> UnsafeRawPointer? {
            if partial == 0 && input.count >= n {
                return consume(n, from: &input).baseAddress
            }
            if n > scratchCapacity { grow(to: n) }
            let k = min(n - partial, input.count)
            if k > 0 {
                (scratch + partial).copyMemory(from: input.baseAddress!, byteCount: k)
                _ = consume(k, from: &input)
                partial += k
            }
            guard partial == n else { return nil }
            partial = 0
            return UnsafeRawPointer(scratch)
        }

        private mutating func grow(to n: Int) {
            // The scratch buffer is only grown between frames' first bytes and their
            // completion, so what it holds is the `partial` prefix.
            var capacity = scratchCapacity
            while capacity < n { capacity *= 2 }
            capacity = min(capacity, WireLimits.maxHeaderSize)
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            bigger.copyMemory(from: scratch, byteCount: partial)
            scratch.deallocate()
            scratch = bigger
            scratchCapacity = capacity
        }

        private func broken(
            _ code: BrokenStreamError.Code, _ message: String, at offset: Int64? = nil, cause: (any Error & Sendable)? = nil
        ) -> BrokenStreamError {
            BrokenStreamError(code: code, message: message, offset: offset ?? self.offset, senderID: senderID, cause: cause)
        }

        private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
    }
}
