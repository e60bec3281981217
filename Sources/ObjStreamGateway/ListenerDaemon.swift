import CMicroHTTPD
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// One libmicrohttpd daemon on a listening socket of objstream's own, with a
/// ``ConnectionGuard``: how the stream listener (``Gateway``) and the admin listener
/// (``AdminListener``) start.
///
/// The daemon polls with `poll(2)` (`MHD_USE_POLL`), never `select(2)`, so no descriptor
/// number is too large for it (`FD_SETSIZE`, 1024); libmicrohttpd cannot combine epoll with a
/// thread per connection, and one connection's poll set is one socket. The socket is bound
/// by ``ListeningSocket`` (the bind that `objstream config check` tries) and handed over with
/// `MHD_OPTION_LISTEN_SOCKET`; libmicrohttpd's own connection limit sits above the guard's,
/// so that the guard refuses (and counts) first.
struct ListenerDaemon: Sendable {
    /// How connections are served.
    enum Threading {
        /// A thread per connection (`MHD_USE_THREAD_PER_CONNECTION`): the stream listener,
        /// whose receivers may block.
        case perConnection
        /// Every connection on the daemon's one polling thread: the admin listener.
        case singleThread
    }

    /// The C callbacks and their contexts.
    struct Callbacks {
        var handler: MHD_AccessHandlerCallback
        var handlerContext: UnsafeMutableRawPointer
        var completed: MHD_RequestCompletedCallback
        var logger: MHD_LogCallback
    }

    /// The daemon (`struct MHD_Daemon *`), as bits.
    private let handle: UInt
    /// The daemon.
    var daemon: OpaquePointer { OpaquePointer(bitPattern: handle)! }
    /// The address it listens on, with the bound port.
    let address: SocketAddress
    /// The PEM texts and priorities handed to libmicrohttpd, kept for as long as the daemon runs.
    private let tlsStrings: RetainedStrings?

    /// Binds `address` and starts the daemon on it.
    ///
    /// The corresponding C function is `MHD_start_daemon`.
    /// - Parameters:
    ///   - address: Where to listen.
    ///   - threading: A thread per connection, or one thread.
    ///   - connectionGuard: The limits; its watchdog must be running.
    ///   - connectionTimeout: libmicrohttpd's connection timeout (rounded up to whole seconds; zero: never).
    ///   - connectionMemoryLimit: libmicrohttpd's per-connection memory, nil for its default; under
    ///     TLS at least ``tlsMemoryFloor``.
    ///   - tls: The certificate, key, client CA and priorities of a TLS listener; nil: plain TCP.
    ///   - callbacks: The access handler, the completion and log callbacks and their context.
    /// - Returns: The running daemon.
    /// - Throws: ``GatewayError`` `bindFailed` or `startFailed`.
    static func start(
        address: SocketAddress, threading: Threading, connectionGuard: ConnectionGuard, connectionTimeout: Duration,
        connectionMemoryLimit: Int?, tls: GatewayTLS? = nil, callbacks: Callbacks
    ) throws(GatewayError) -> ListenerDaemon {
        if tls != nil && CMicroHTTPD_has_tls() == 0 {
            throw GatewayError(code: .startFailed, message: "this libmicrohttpd was built without TLS")
        }
        let fd: Int32
        do {
            fd = try ListeningSocket.open(address)
        } catch {
            throw GatewayError(code: .bindFailed, message: "cannot listen on \(address): \(error)")
        }
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_POLL.rawValue | MHD_USE_ITC.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if threading == .perConnection { flags |= MHD_USE_THREAD_PER_CONNECTION.rawValue }
        if tls != nil { flags |= MHD_USE_TLS.rawValue }
        let guardContext = Unmanaged.passUnretained(connectionGuard).toOpaque()
        let notify: MHD_NotifyConnectionCallback = listenerConnectionNotified
        var items = [
            MHD_OptionItem(
                option: .EXTERNAL_LOGGER, value: unsafeBitCast(callbacks.logger, to: Int.self),
                ptr_value: callbacks.handlerContext),
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(fd), ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: Int(wholeSeconds(connectionTimeout)), ptr_value: nil),
            MHD_OptionItem(
                option: .CONNECTION_LIMIT, value: connectionGuard.limits.maxConnections + 16, ptr_value: nil),
            MHD_OptionItem(
                option: .NOTIFY_COMPLETED, value: unsafeBitCast(callbacks.completed, to: Int.self),
                ptr_value: callbacks.handlerContext),
            MHD_OptionItem(option: .NOTIFY_CONNECTION, value: unsafeBitCast(notify, to: Int.self), ptr_value: guardContext),
        ]
        var memoryLimit = connectionMemoryLimit
        let strings = tls.map { RetainedStrings($0) }
        if let strings {
            items += strings.options
            memoryLimit = max(memoryLimit ?? 0, tlsMemoryFloor)
        }
        if let memoryLimit {
            items.append(MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: memoryLimit, ptr_value: nil))
        }
        items.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
        let started = items.withUnsafeBufferPointer {
            CMicroHTTPD_start_daemon_with_policy(
                flags, listenerAcceptPolicy, guardContext, callbacks.handler, callbacks.handlerContext, $0.baseAddress)
        }
        guard let daemon = started else {
            if fcntl(fd, F_GETFD) != -1 { close(fd) }
            throw GatewayError(code: .startFailed, message: "libmicrohttpd could not start on \(address)")
        }
        return ListenerDaemon(
            handle: UInt(bitPattern: daemon), address: ListeningSocket.boundAddress(fd) ?? address, tlsStrings: strings)
    }

    /// libmicrohttpd's timeout in whole seconds: rounded up, so that a limit is never cut short.
    /// - Parameter duration: The timeout; zero for never.
    /// - Returns: Seconds (0: never).
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds + (attoseconds > 0 ? 1 : 0)
    }

    /// Stops accepting: closes the listening socket, leaving open connections be.
    ///
    /// The corresponding C function is `MHD_quiesce_daemon`.
    func quiesce() {
        let listener = MHD_quiesce_daemon(daemon)
        if listener >= 0 { close(listener) }
    }

    /// Stops the daemon, closing every connection still open.
    ///
    /// The corresponding C function is `MHD_stop_daemon`.
    func stop() { MHD_stop_daemon(daemon) }
}
