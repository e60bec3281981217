import CLZ4

/// Streaming decompression of an lz4 frame-format body, through liblz4's `LZ4F_decompress`.
///
/// The frame is never closed on the wire: the body ends after a complete block.
/// One decoder serves one stream on one thread; its output buffer is reused.
public final class LZ4FrameDecoder {
    private let context: OpaquePointer
    private let output: UnsafeMutableRawPointer
    private let outputCapacity: Int
    private var hint = 0
    private var consumed: Int64 = 0

    /// The block-header size: what `LZ4F_decompress` asks for next at a block boundary.
    private static let blockHeaderSize = 4

    /// Creates a decoder.
    /// - Parameter outputBuffer: The size of the reused buffer decompressed bytes are handed out from.
    /// - Throws: ``LZ4Error`` when liblz4 cannot create a context.
    /// The corresponding C function is `LZ4F_createDecompressionContext`.
    public init(outputBuffer: Int = 256 * 1024) throws(LZ4Error) {
        var ctx: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))
        guard CLZ4_isError(rc) == 0, let ctx else { throw LZ4Error(code: rc, operation: "create decompression context") }
        self.context = ctx
        self.outputCapacity = outputBuffer
        self.output = .allocate(byteCount: outputBuffer, alignment: 16)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        output.deallocate()
    }

    /// Compressed bytes consumed so far.
    public var compressedOffset: Int64 { consumed }

    /// Decompresses `input`, handing each piece of output to `body` before the next is made.
    /// - Parameters:
    ///   - input: The next compressed bytes of the body.
    ///   - body: Called with views into the reused output buffer, valid during the call.
    /// - Throws: ``LZ4Error`` for a corrupt frame, or what `body` throws.
    /// The corresponding C function is `LZ4F_decompress`.
    public func decompress<E: Error>(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(LZ4Failure<E>) {
        var src = input
        repeat {
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

    /// Whether the body may end here: nothing read yet, or a block just completed.
    public var isAtBlockBoundary: Bool {
        consumed == 0 || hint == LZ4FrameDecoder.blockHeaderSize
    }
}

