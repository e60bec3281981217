import CGnuTLS
import CMicroHTTPD

#if canImport(Glibc)
import Glibc
#endif

extension ListenerDaemon {
    /// The least per-connection memory of a TLS listener: libmicrohttpd decrypts into the
    /// connection's buffer, and a TLS record carries up to 16 KiB; 64 KiB holds the headers
    /// and more than one record.
    static let tlsMemoryFloor = 64 << 10

    /// The C strings of a TLS daemon's options (`MHD_OPTION_HTTPS_MEM_CERT`, `_KEY`, `_MEM_TRUST`,
    /// `MHD_OPTION_HTTPS_PRIORITIES`), owned for the daemon's lifetime.
    final class RetainedStrings: @unchecked Sendable {
        private let pointers: [UnsafeMutablePointer<CChar>]
        /// The daemon options that point at them.
        let options: [MHD_OptionItem]

        /// Copies the texts.
        /// - Parameter tls: The TLS settings.
        init(_ tls: GatewayTLS) {
            var pointers: [UnsafeMutablePointer<CChar>] = []
            var options: [MHD_OptionItem] = []
            func add(_ option: MHD_OPTION, _ text: String?) {
                guard let text, let copy = strdup(text) else { return }
                pointers.append(copy)
                options.append(MHD_OptionItem(option: option, value: 0, ptr_value: UnsafeMutableRawPointer(copy)))
            }
            add(.HTTPS_MEM_CERT, tls.certificate)
            add(.HTTPS_MEM_KEY, tls.key)
            add(.HTTPS_MEM_TRUST, tls.clientCA)
            add(.HTTPS_PRIORITIES, tls.priorities)
            self.pointers = pointers
            self.options = options
        }

        deinit { for p in pointers { free(p) } }
    }

    /// Makes a connection's handshake fail unless the client presents a certificate that a
    /// trusted client CA signed: libmicrohttpd only asks for one (`GNUTLS_CERT_REQUEST`) and
    /// leaves its verification to the application. Called when the connection opens, before
    /// its handshake.
    /// - Parameter session: The connection's `gnutls_session_t`.
    /// The corresponding C functions are `gnutls_certificate_server_set_request` and
    /// `gnutls_session_set_verify_cert`.
    static func requireClientCertificate(_ session: OpaquePointer) {
        gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE)
        gnutls_session_set_verify_cert(session, nil, 0)
    }
}
