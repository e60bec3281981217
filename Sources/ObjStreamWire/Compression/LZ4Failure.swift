/// Why a streaming lz4 call stopped: liblz4 itself, or the consumer of its output.
public enum LZ4Failure<Consumer: Error>: Error {
    /// liblz4 rejected the input or failed.
    case lz4(LZ4Error)
    /// The consumer of the output threw.
    case consumer(Consumer)
}
