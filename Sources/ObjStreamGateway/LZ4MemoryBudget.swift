import ObjStreamMetrics
import ObjStreamWire
import Synchronization

/// The memory every lz4 decompressor of a gateway together may hold (`gateway.lz4_memory`).
///
/// A compressed stream reserves, before its body is read, what a decompressor holds for the
/// largest block it may announce (``LZ4FrameDecoder/memory(blockSize:)`` of
/// `gateway.max_lz4_block`: about 8.4 MiB for 4 MiB blocks); once its frame descriptor names
/// the real block size the reservation shrinks to that (about 0.9 MiB for 256 KiB blocks).
/// A stream whose reservation does not fit is answered `503` `lz4_memory` at once.
final class LZ4MemoryBudget: Sendable {
    /// The budget in bytes.
    let limit: Int
    /// The largest block a frame may announce.
    let maxBlock: Int
    private let reserved = Atomic<Int>(0)
    private let gauge: Gauge

    /// Creates a budget.
    /// - Parameters:
    ///   - limit: The bytes every decompressor together may hold.
    ///   - maxBlock: The largest block a frame may announce (`gateway.max_lz4_block`).
    ///   - registry: Where `objstream_lz4_memory_reserved_bytes` goes.
    init(limit: Int, maxBlock: Int, registry: MetricsRegistry) {
        self.limit = limit
        self.maxBlock = maxBlock
        gauge = registry.gauge(
            "objstream_lz4_memory_reserved_bytes",
            help: "Memory reserved now by the lz4 decompressors of compressed streams (bounded by gateway.lz4_memory)."
        ).labels()
    }

    /// What one stream reserves before its frame descriptor is read.
    var initialReservation: Int { LZ4FrameDecoder.memory(blockSize: maxBlock) }

    /// Bytes reserved now.
    var reservedBytes: Int { reserved.load(ordering: .relaxed) }

    /// Reserves memory for a new compressed stream.
    /// - Returns: The reservation, or nil when it does not fit.
    func reserve() -> LZ4MemoryReservation? {
        let bytes = initialReservation
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return nil }
            let (exchanged, actual) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { break }
            current = actual
        }
        gauge.add(Int64(bytes))
        return LZ4MemoryReservation(budget: self, bytes: bytes)
    }

    /// Gives bytes back.
    /// - Parameter bytes: What a reservation returns.
    fileprivate func release(_ bytes: Int) {
        reserved.wrappingSubtract(bytes, ordering: .relaxed)
        gauge.add(-Int64(bytes))
    }
}

/// One compressed stream's share of the ``LZ4MemoryBudget``; given back when it goes away
/// (with the request's context).
final class LZ4MemoryReservation: Sendable {
    private let budget: LZ4MemoryBudget
    private let bytes: Mutex<Int>

    fileprivate init(budget: LZ4MemoryBudget, bytes: Int) {
        self.budget = budget
        self.bytes = Mutex(bytes)
    }

    /// Decides on an lz4 frame's block size (``LZ4FrameDecoder``'s `admitFrame`): a block size
    /// within `gateway.max_lz4_block` and within what is reserved is taken, and the reservation
    /// shrinks to what it needs; a larger one is refused.
    /// - Parameter blockSize: The block size the frame announces.
    /// - Returns: Whether the frame is taken.
    func admit(blockSize: Int) -> Bool {
        let needed = LZ4FrameDecoder.memory(blockSize: blockSize)
        guard blockSize <= budget.maxBlock else { return false }
        let returned = bytes.withLock { held -> Int? in
            guard needed <= held else { return nil }
            defer { held = needed }
            return held - needed
        }
        guard let returned else { return false }
        if returned > 0 { budget.release(returned) }
        return true
    }

    deinit { budget.release(bytes.withLock { $0 }) }
}
