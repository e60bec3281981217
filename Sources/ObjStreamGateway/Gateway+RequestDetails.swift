import CMicroHTTPD

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

    /// The sender's `ip:port`; empty when it is not IPv4.
    func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let address = CMicroHTTPD_client_address(connection), address.pointee.sa_family == sa_family_t(AF_INET)
        else { return "" }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
            var addr = inet.pointee.sin_addr
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
            return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + ":" + String(UInt16(bigEndian: inet.pointee.sin_port))
        }
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
