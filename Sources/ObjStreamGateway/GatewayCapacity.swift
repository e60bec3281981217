import ObjStreamWire

/// How many stream connections a gateway process can hold (`gateway.max_connections`'s upper
/// bound in `objstream config check` and `objstream serve`), from what each connection costs
/// and what the process may hold (``HostLimits``).
///
/// Each connection costs:
/// - **file descriptors**: ``descriptorsPerConnection`` (its socket, and the temporary file a
///   `store` endpoint writes), beyond ``reservedDescriptors`` for the process itself (listening
///   sockets, libmicrohttpd's wake-up channels, the admin listener's budget, stdio, `/proc`);
/// - **a thread** (libmicrohttpd's thread per connection), beyond ``reservedThreads``;
/// - **memory**, at most: libmicrohttpd's buffer (`gateway.connection_memory_limit`), the
///   decoder's header buffer (`transport.max_header`) and ``memoryPerThread`` for the
///   thread's stack and the session, beyond ``baseMemory`` and `gateway.lz4_memory`.
public enum GatewayCapacity {
    /// File descriptors each connection may hold.
    public static let descriptorsPerConnection = 2
    /// File descriptors kept for the process itself.
    public static let reservedDescriptors = 64 + AdminListener.maxConnections
    /// Threads kept for the process itself.
    public static let reservedThreads = 64
    /// Resident memory of a connection's thread stack and session, beyond its buffers.
    public static let memoryPerThread = 64 << 10
    /// Resident memory of an idle gateway process.
    public static let baseMemory = 64 << 20

    /// The most memory one connection may hold.
    /// - Parameter options: The gateway's options.
    /// - Returns: Bytes.
    public static func memoryPerConnection(_ options: GatewayOptions) -> Int {
        options.connectionMemoryLimit + options.headerBuffer + memoryPerThread
    }

    /// The most connections the process can hold, and the limit that binds.
    /// - Parameters:
    ///   - options: The gateway's options (connection memory, header buffer, lz4 memory).
    ///   - host: What the process may hold.
    /// - Returns: The bound (at least 0) and, in words, where it comes from.
    public static func maxConnections(_ options: GatewayOptions, host: HostLimits) -> (bound: Int, reason: String) {
        let byFiles = max(0, (host.openFiles.value - reservedDescriptors) / descriptorsPerConnection)
        let byThreads = max(0, host.threads.value - reservedThreads)
        let perConnection = memoryPerConnection(options)
        let byMemory = max(0, (host.memory.value - baseMemory - options.lz4Memory) / perConnection)
        let bounds = [
            (
                byFiles,
                "\(host.openFiles) holds \(byFiles) at \(descriptorsPerConnection) file descriptors each "
                    + "(\(reservedDescriptors) kept for the process)"
            ),
            (byThreads, "\(host.threads) holds \(byThreads) at a thread each (\(reservedThreads) kept for the process)"),
            (
                byMemory,
                "\(host.memory.source) \(ByteCount.text(host.memory.value)) holds \(byMemory) at "
                    + "\(ByteCount.text(perConnection)) each (connection_memory_limit + max_header + 64 KiB), beyond "
                    + "\(ByteCount.text(baseMemory)) and lz4_memory"
            ),
        ]
        return bounds.min { $0.0 < $1.0 }!
    }
}

/// Byte counts in words for messages (`324 KiB`, `1.5 GiB`).
enum ByteCount {
    /// A byte count with a binary unit.
    /// - Parameter bytes: The count.
    /// - Returns: The text.
    static func text(_ bytes: Int) -> String {
        let units = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int(value)) \(name)" : "\((value * 10).rounded() / 10) \(name)"
        }
        return "\(bytes) B"
    }
}
