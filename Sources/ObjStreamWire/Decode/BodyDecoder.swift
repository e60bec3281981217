/// Decodes one request body: lz4 decompression when the request says so, then frames.
///
/// Feed it the body as it arrives; it calls `handle` for every event in order,
/// with data events as views into the fed chunk (or into the decompressor's reused
/// output), so that nothing is copied on the way.
public final class BodyDecoder {
    /// The frame decoder, for its counters (offset, objects, sender id).
    public let frames: StreamDecoder
    private let lz4: LZ4FrameDecoder?

    /// Creates a body decoder.
    /// - Parameters:
    ///   - compressed: Whether the body is one lz4 frame (`Ais-Compress: lz4`).
    ///   - senderID: The sender's node id (`Ais-Caller-Id`), reported in errors.
    ///   - headerBuffer: The initial buffer for headers that straddle chunks.
    ///   - admitLZ4Frame: For a compressed body, called with each lz4 frame's block size before
    ///     liblz4 allocates for it; false breaks the stream with `sbr_lz4_block` (see
    ///     ``LZ4FrameDecoder``). Nil takes every frame.
    public init(
        compressed: Bool, senderID: String = "", headerBuffer: Int = WireLimits.defaultHeaderSize,
        admitLZ4Frame: ((Int) -> Bool)? = nil
    ) throws(BrokenStreamError) {
        self.frames = StreamDecoder(senderID: senderID, headerBuffer: headerBuffer)
        do {
            self.lz4 = compressed ? try LZ4FrameDecoder(admitFrame: admitLZ4Frame) : nil
        } catch {
            throw BrokenStreamError(code: .compression, message: "\(error)", offset: 0, senderID: senderID, cause: error)
        }
    }

    /// Decodes the next chunk of the body.
    /// - Parameters:
    ///   - chunk: The bytes as they came off the connection.
    ///   - handle: Called for each event; what it throws ends the stream.
    /// - Throws: ``BodyDecodingError``: the stream is broken, or `handle` threw.
    public func feed<E: Error>(
        _ chunk: UnsafeRawBufferPointer, _ handle: (StreamDecoder.Event) throws(E) -> Void
    ) throws(BodyDecodingError<E>) {
        guard let lz4 else {
            try drain(chunk, handle)
            return
        }
        do throws(LZ4Failure<BodyDecodingError<E>>) {
            try lz4.decompress(chunk) { (plain) throws(BodyDecodingError<E>) in try drain(plain, handle) }
        } catch {
            switch error {
            case .consumer(let inner): throw inner
            case .lz4(let failure):
                throw .broken(
                    BrokenStreamError(
                        code: failure.isBlockSizeRefusal ? .compressionBlockSize : .compression, message: "\(failure)",
                        offset: frames.offset,
                        senderID: frames.senderID, cause: failure))
            }
        }
    }

    /// Checks that the body may end here (at a frame boundary and, compressed, at a block boundary).
    /// - Throws: ``BrokenStreamError`` naming where the body ended.
    public func finish() throws(BrokenStreamError) {
        if let lz4, !lz4.isAtBlockBoundary {
            throw BrokenStreamError(
                code: .compression, message: "body ended inside an lz4 block (compressed offset \(lz4.compressedOffset))",
                offset: frames.offset, senderID: frames.senderID)
        }
        try frames.finish()
    }

    /// The error for a transport failure at the current position.
    /// - Parameter cause: What failed, in words.
    public func failure(_ cause: String) -> BrokenStreamError { frames.failure(cause) }

    private func drain<E: Error>(
        _ bytes: UnsafeRawBufferPointer, _ handle: (StreamDecoder.Event) throws(E) -> Void
    ) throws(BodyDecodingError<E>) {
        var input = bytes
        while true {
            let event: StreamDecoder.Event?
            do {
                event = try frames.next(from: &input)
            } catch {
                throw .broken(error)
            }
            guard let event else { return }
            do throws(E) {
                try handle(event)
            } catch {
                throw .handler(error)
            }
        }
    }
}

/// Why a ``BodyDecoder`` stopped: the stream is broken, or the event handler threw.
public enum BodyDecodingError<Handler: Error>: Error {
    /// The body is not a valid stream.
    case broken(BrokenStreamError)
    /// The handler of the events threw.
    case handler(Handler)
}
