import ObjStreamFuzzSupport
import ObjStreamWire

/// libFuzzer's entry point for the streaming decoder: a plain or PDU stream, an lz4 body, or a
/// plain stream that this target compresses itself, pushed through ``BodyDecoder`` in chunks
/// that the input chooses.
///
/// The input is `mode`, `chunking`, then the body. `mode % 3`: 0 the body as a stream, 1 the
/// body as an lz4-compressed stream, 2 the body compressed here (block size `mode / 3 % 4`).
/// Whatever the bytes, the decoder must report data within each object's announced size, a
/// broken stream with an offset inside the body, and (plain and self-compressed) exactly the
/// events and verdict of the same stream decoded in one piece.
/// - Parameters:
///   - data: The input's bytes.
///   - size: Their count.
/// - Returns: 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func streamFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 2 else { return 0 }
    let mode = data[0]
    let chunks = ChunkPlan(seed: data[1])
    let body = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    switch mode % 3 {
    case 0:
        let chunked = Transcript.decode(body, compressed: false, chunks: chunks)
        let whole = Transcript.decode(body, compressed: false, chunks: .whole)
        guard chunked == whole else { fatalError("chunking changed the decoding: \(chunked) against \(whole)") }
    case 1:
        _ = Transcript.decode(body, compressed: true, chunks: chunks)
    default:
        let blockSize = LZ4BlockSize.allCases[Int(mode / 3) % LZ4BlockSize.allCases.count]
        let compressed = LZ4Body.compress(body, blockSize: blockSize)
        let unpacked = compressed.withUnsafeBytes { Transcript.decode($0, compressed: true, chunks: chunks) }
        let plain = Transcript.decode(body, compressed: false, chunks: .whole)
        guard unpacked == plain else { fatalError("lz4 changed the decoding: \(unpacked) against \(plain)") }
    }
    return 0
}

@main
enum StreamFuzzTarget {
    static func main() { FuzzDriver.main(streamFuzzTestOneInput) }
}
