import CLZ4

/// Streaming decompression of an lz4 frame-format body, through liblz4's `LZ4F_decompress`.
///
/// The frame is never closed on the wire: the body ends after a complete block.
/// One decoder serves one stream on one thread; its output buffer is reused.
///
/// Each frame's descriptor is read with `LZ4F_getFrameInfo` before any of its blocks, so
/// that its block size is known before liblz4 allocates its two block buffers (about twice
/// the block size, see ``memory(blockSize:)``); `admitFrame` may refuse it then, and the
/// stream breaks with ``LZ4Error/isBlockSizeRefusal``.
public final class LZ4FrameDecoder {
    private let context: OpaquePointer
    private let output: UnsafeMutableRawPointer
    private let outputCapacity: Int
    private let admitFrame: ((Int) -> Bool)?
    private var hint = 0
    private var consumed: Int64 = 0
    /// The frame header bytes gathered so far, while the next frame's header is not complete.
    private var header: [UInt8] = []
    /// Whether the current frame's header has been read (blocks come next).
    private var inFrame = false
    /// The block size of the frame being decoded; nil before its header.
    public private(set) var blockSize: Int?

    /// The block-header size: what `LZ4F_decompress` asks for next at a block boundary.
    private static let blockHeaderSize = 4
    /// The output buffer's default size.
    public static let defaultOutputBuffer = 256 * 1024

    /// Creates a decoder.
    /// - Parameters:
    ///   - outputBuffer: The size of the reused buffer decompressed bytes are handed out from.
    ///   - admitFrame: Called with each frame's block size once its descriptor is read, before
    ///     liblz4 allocates for it; false refuses the frame (the decoder then fails). Nil takes
    ///     every frame.
    /// - Throws: ``LZ4Error`` when liblz4 cannot create a context.
    /// The corresponding C function is `LZ4F_createDecompressionContext`.
    public init(outputBuffer: Int = defaultOutputBuffer, admitFrame: ((Int) -> Bool)? = nil) throws(LZ4Error) {
        var ctx: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))
        guard CLZ4_isError(rc) == 0, let ctx else { throw LZ4Error(code: rc, operation: "create decompression context") }
        self.context = ctx
        self.outputCapacity = outputBuffer
        self.output = .allocate(byteCount: outputBuffer, alignment: 16)
        self.admitFrame = admitFrame
        header.reserveCapacity(Int(LZ4F_HEADER_SIZE_MAX))
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        output.deallocate()
    }

    /// The memory one decoder holds at most for frames of `blockSize` blocks: liblz4's input
    /// block buffer (a block and its 4-byte checksum), its output buffer (a block and 128 KiB
    /// of history for linked blocks), the reused output buffer (256 KiB) and 8 KiB for the
    /// context and rounding: 8584 KiB for 4 MiB blocks, 904 KiB for 256 KiB blocks.
    /// - Parameter blockSize: The frame's block size (64 KiB, 256 KiB, 1 MiB or 4 MiB).
    /// - Returns: Bytes.
    public static func memory(blockSize: Int) -> Int {
        2 * blockSize + (128 << 10) + defaultOutputBuffer + (8 << 10)
    }

    /// Compressed bytes consumed so far.
    public var compressedOffset: Int64 { consumed }

    /// Decompresses `input`, handing each piece of output to `body` before the next is made.
    /// - Parameters:
    ///   - input: The next compressed bytes of the body.
    ///   - body: Called with views into the reused output buffer, valid during the call.
    /// - Throws: ``LZ4Error`` for a corrupt frame or a refused block size, or what `body` throws.
    /// The corresponding C function is `LZ4F_decompress`.
    public func decompress<E: Error>(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(LZ4Failure<E>) {
        var src = input
        repeat {
            if !inFrame {
                let leftover: [UInt8]
                do {
                    guard let rest = try readFrameHeader(&src) else { return }
                    leftover = rest
                } catch {
                    throw .lz4(error)
                }
                // What liblz4 did not take of the gathered header (a skippable frame's size field) goes first.
                if !leftover.isEmpty {
                    let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: leftover.count, alignment: 1)
                    defer { piece.deallocate() }
                    piece.copyBytes(from: leftover)
                    try decompress(UnsafeRawBufferPointer(piece), body)
                }
            }
            var dstSize = outputCapacity
            var srcSize = src.count
            let rc = LZ4F_decompress(context, output, &dstSize, src.baseAddress, &srcSize, nil)
            if CLZ4_isError(rc) != 0 {
                throw .lz4(LZ4Error(code: rc, operation: "decompress at compressed offset \(consumed)"))
            }
            hint = rc
            consumed += Int64(srcSize)
            src = srcSize == src.count ? UnsafeRawBufferPointer(start: nil, count: 0)
                : UnsafeRawBufferPointer(rebasing: src[srcSize...])
            // 0: the frame ended (an end mark); a next frame starts with a header of its own.
            if rc == 0 { inFrame = false }
            if dstSize > 0 {
                do throws(E) {
                    try body(UnsafeRawBufferPointer(start: output, count: dstSize))
                } catch {
                    throw .consumer(error)
                }
            }
            // Stop once every input byte is taken and no output is pending.
            if src.isEmpty && dstSize < outputCapacity { return }
        } while true
    }

    /// Gathers the next frame's header from `src` and reads it with `LZ4F_getFrameInfo`.
    ///
    /// The corresponding C functions are `LZ4F_headerSize` and `LZ4F_getFrameInfo`.
    /// - Parameter src: The input; what the header takes is removed.
    /// - Returns: nil while the header is not complete (more input needed); once it is and the
    ///   frame is admitted, the gathered bytes that `LZ4F_getFrameInfo` did not consume (empty
    ///   but for a skippable frame), which go to `LZ4F_decompress` before the rest of `src`.
    /// - Throws: ``LZ4Error`` for a malformed header or a refused block size.
    private func readFrameHeader(_ src: inout UnsafeRawBufferPointer) throws(LZ4Error) -> [UInt8]? {
        let minimum = 5  // LZ4F_MIN_SIZE_TO_KNOW_HEADER_LENGTH
        var needed = minimum
        while true {
            if header.count >= minimum {
                let size = header.withUnsafeBytes { LZ4F_headerSize($0.baseAddress, $0.count) }
                if CLZ4_isError(size) != 0 {
                    throw LZ4Error(code: size, operation: "frame header at compressed offset \(consumed)")
                }
                needed = size
            }
            if header.count >= needed { break }
            let take = min(needed - header.count, src.count)
            guard take > 0 else { return nil }
            header.append(contentsOf: UnsafeRawBufferPointer(rebasing: src[..<take]))
            src = take == src.count ? UnsafeRawBufferPointer(start: nil, count: 0)
                : UnsafeRawBufferPointer(rebasing: src[take...])
        }
        var info = LZ4F_frameInfo_t()
        var size = header.count
        let rc = header.withUnsafeBytes { LZ4F_getFrameInfo(context, &info, $0.baseAddress, &size) }
        if CLZ4_isError(rc) != 0 {
            throw LZ4Error(code: rc, operation: "frame header at compressed offset \(consumed)")
        }
        let announced = Self.bytes(of: info.blockSizeID)
        if let admitFrame, !admitFrame(announced) {
            throw LZ4Error.blockSizeRefusal(announced: announced, at: consumed)
        }
        consumed += Int64(size)
        let leftover = Array(header[size...])
        header.removeAll(keepingCapacity: true)
        blockSize = announced
        hint = rc
        inFrame = true
        return leftover
    }

    /// The bytes of a frame descriptor's block size id (0, the default, is 64 KiB).
    private static func bytes(of id: LZ4F_blockSizeID_t) -> Int {
        switch id {
        case LZ4F_max256KB: LZ4BlockSize.kib256.rawValue
        case LZ4F_max1MB: LZ4BlockSize.mib1.rawValue
        case LZ4F_max4MB: LZ4BlockSize.mib4.rawValue
        default: LZ4BlockSize.kib64.rawValue
        }
    }

    /// Whether the body may end here: nothing read yet, a block just completed, or a frame
    /// ended and the next one has not begun.
    public var isAtBlockBoundary: Bool {
        inFrame ? hint == LZ4FrameDecoder.blockHeaderSize : header.isEmpty
    }
}
