import CLZ4

/// Streaming compression into one lz4 frame that is never closed, through liblz4's
/// `LZ4F_*` API: linked blocks, no block checksums, optional content checksum.
///
/// The caller flushes at every object boundary so that the receiver can hand out
/// each object without waiting for more bytes. One encoder serves one stream on one
/// thread; its output buffer is reused.
public final class LZ4FrameEncoder {
    private let context: OpaquePointer
    private var preferences: LZ4F_preferences_t
    private let output: UnsafeMutableRawPointer
    private let outputCapacity: Int
    /// The largest input handed to one `LZ4F_compressUpdate` call.
    private let step: Int

    /// The block size of the frame.
    public let blockSize: LZ4BlockSize

    /// Creates an encoder.
    /// - Parameters:
    ///   - blockSize: The frame's block size.
    ///   - contentChecksum: Whether the frame carries a content checksum.
    /// - Throws: ``LZ4Error`` when liblz4 cannot create a context.
    /// The corresponding C function is `LZ4F_createCompressionContext`.
    public init(blockSize: LZ4BlockSize = .kib256, contentChecksum: Bool = false) throws(LZ4Error) {
        var ctx: OpaquePointer?
        let rc = LZ4F_createCompressionContext(&ctx, UInt32(LZ4F_VERSION))
        guard CLZ4_isError(rc) == 0, let ctx else { throw LZ4Error(code: rc, operation: "create compression context") }
        self.context = ctx
        self.blockSize = blockSize
        var prefs = LZ4F_preferences_t()
        prefs.frameInfo.blockSizeID = blockSize.frameValue
        prefs.frameInfo.blockMode = LZ4F_blockLinked
        prefs.frameInfo.contentChecksumFlag = contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        self.preferences = prefs
        self.step = blockSize.rawValue
        self.outputCapacity = max(LZ4F_compressBound(blockSize.rawValue, &prefs), Int(LZ4F_HEADER_SIZE_MAX))
        self.output = .allocate(byteCount: outputCapacity, alignment: 16)
    }

    deinit {
        LZ4F_freeCompressionContext(context)
        output.deallocate()
    }

    /// Starts a new frame and hands its header to `sink`.
    /// - Parameter sink: Receives the frame header bytes, valid during the call.
    /// The corresponding C function is `LZ4F_compressBegin`.
    public func begin<E: Error>(_ sink: (UnsafeRawBufferPointer) throws(E) -> Void) throws(LZ4Failure<E>) {
        let rc = LZ4F_compressBegin(context, output, outputCapacity, &preferences)
        try emit(rc, "begin frame", sink)
    }

    /// Compresses `input`, handing whatever compressed bytes are ready to `sink`.
    /// - Parameters:
    ///   - input: Uncompressed bytes.
    ///   - sink: Receives compressed bytes from the reused buffer, valid during the call.
    /// The corresponding C function is `LZ4F_compressUpdate`.
    public func compress<E: Error>(
        _ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(LZ4Failure<E>) {
        var rest = input
        while !rest.isEmpty {
            let n = min(step, rest.count)
            let rc = LZ4F_compressUpdate(context, output, outputCapacity, rest.baseAddress, n, nil)
            try emit(rc, "compress", sink)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// Ends the current block so that everything compressed so far can be decoded.
    /// - Parameter sink: Receives the remaining compressed bytes.
    /// The corresponding C function is `LZ4F_flush`.
    public func flush<E: Error>(_ sink: (UnsafeRawBufferPointer) throws(E) -> Void) throws(LZ4Failure<E>) {
        let rc = LZ4F_flush(context, output, outputCapacity, nil)
        try emit(rc, "flush", sink)
    }

    private func emit<E: Error>(
        _ rc: Int, _ operation: String, _ sink: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(LZ4Failure<E>) {
        if CLZ4_isError(rc) != 0 { throw .lz4(LZ4Error(code: rc, operation: operation)) }
        if rc == 0 { return }
        do throws(E) {
            try sink(UnsafeRawBufferPointer(start: output, count: rc))
        } catch {
            throw .consumer(error)
        }
    }
}

