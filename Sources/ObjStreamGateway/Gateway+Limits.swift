import CMicroHTTPD
import ObjStreamWire

/// The limits of compressed streams (`gateway.max_lz4_block`, `gateway.lz4_memory`).
extension Gateway {
    /// The decision on a compressed stream's lz4 frames: a frame whose blocks are within
    /// `gateway.max_lz4_block` and its reservation is taken (and the reservation shrinks to
    /// it); a larger one breaks the stream with `sbr_lz4_block`, counted as `max_lz4_block`.
    /// - Parameter reservation: The stream's share of the lz4 memory.
    /// - Returns: The `admitFrame` of the stream's decoder.
    func admitFrames(_ reservation: LZ4MemoryReservation) -> (Int) -> Bool {
        let metrics = connections.metrics
        return { blockSize in
            if reservation.admit(blockSize: blockSize) { return true }
            metrics.reject(.maxLZ4Block)
            return false
        }
    }

    /// Answers a compressed stream for which the lz4 memory is taken: `503` `lz4_memory`, at
    /// once, before its body is read; counted as `lz4_memory`.
    /// - Parameter connection: The request's connection.
    /// - Returns: Whether the answer was queued.
    func respondLZ4MemoryTaken(_ connection: OpaquePointer) -> MHD_Result {
        connections.metrics.reject(.lz4Memory)
        return respondError(
            connection, .objstream, 503, LimitReason.lz4Memory.rawValue,
            "the lz4 decompressors hold \(lz4Memory.reservedBytes) of \(lz4Memory.limit) bytes (gateway.lz4_memory); "
                + "a compressed stream reserves \(lz4Memory.initialReservation) bytes: try again later")
    }
}
