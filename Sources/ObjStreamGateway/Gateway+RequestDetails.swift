import CMicroHTTPD
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// What the gateway reads about a request from libmicrohttpd: headers, the sender's address, how it ended.
extension Gateway {
    /// The value of a request header.
    ///
    /// The corresponding C function is `MHD_lookup_connection_value`.
    func header(_ connection: OpaquePointer, _ name: String) -> String? {
        guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) else { return nil }
        return String(cString: value)
    }

    /// The sender's `ip:port` (`[ipv6]:port`; an IPv4 peer of a dual-stack listener as IPv4);
    /// empty when unknown.
    func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let address = CMicroHTTPD_client_address(connection),
            let peer = SocketAddress(address, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
        else { return "" }
        return peer.description
    }

    /// How a request ended, in words.
    static func describe(_ termination: MHD_RequestTerminationCode) -> String {
        switch termination {
        case .REQUEST_TERMINATED_COMPLETED_OK: "completed"
        case .REQUEST_TERMINATED_WITH_ERROR: "connection error"
        case .REQUEST_TERMINATED_TIMEOUT_REACHED: "connection timeout"
        case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: "gateway shutdown"
        case .REQUEST_TERMINATED_READ_ERROR: "read error or reset"
        case .REQUEST_TERMINATED_CLIENT_ABORT: "client closed the connection"
        default: "termination code \(termination.rawValue)"
        }
    }
}
