/// The `transport` section: stream behaviour shared by senders and receivers (BEHAVIOR.md).
public struct TransportConfiguration: Sendable, Equatable {
    /// Largest encoded object header in bytes (`max_header`, 512..131072).
    public var maxHeader: Int = 4096
    /// Send queue capacity in objects (`burst_buffer`, 256..4096).
    public var burstBuffer: Int = 1024
    /// Idle time after which a stream ends its HTTP request in-band (`idle_teardown`, >= 1s).
    public var idleTeardown: Duration = .seconds(4)
    /// Time a stream may stay quiet before the collector treats it as gone (`quiescent`, >= 8s;
    /// when the file sets `idle_teardown` but not `quiescent`: max(10s, 2 x idle_teardown)).
    public var quiescent: Duration = .seconds(10)
    /// lz4 frame block size in bytes (`lz4_block`: 64KiB, 256KiB, 1MiB or 4MiB).
    public var lz4Block: Int = 256 * 1024
    /// Whether lz4 frames carry a content checksum (`lz4_frame_checksum`).
    public var lz4FrameChecksum: Bool = false

    /// Creates the section with every key at its default.
    public init() {}
}
