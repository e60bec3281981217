import CGnuTLS

#if canImport(Glibc)
import Glibc
#endif

/// The client side of one TLS connection (`gnutls_session_t`) over a non-blocking socket:
/// the handshake, with the receiver's certificate checked against the trusted authorities
/// and the URL's host (`gnutls_session_set_verify_cert`) and the host sent as SNI; then
/// record writes and reads for ``SocketConnection``.
///
/// Writes and reads return GnuTLS's codes as they are (`GNUTLS_E_AGAIN` when the socket is
/// full or empty); the connection waits with `poll` and calls again with the same arguments,
/// as GnuTLS asks. Confined to the stream's sender thread.
final class TLSSession {
    private let session: OpaquePointer
    /// Kept alive for as long as the session uses them.
    private let credentials: TLSClientCredentials
    /// `host:port`, for messages.
    private let address: String

    /// Starts a session on a connected socket (no bytes are exchanged yet).
    /// - Parameters:
    ///   - fd: The connected socket.
    ///   - host: The URL's host: what the receiver's certificate must name, and the SNI (names only).
    ///   - address: `host:port`, for messages.
    ///   - credentials: The trusted authorities and the sender's own certificate.
    /// - Throws: ``SendError`` with ``SendError/Code/tls`` when GnuTLS cannot set the session up.
    /// The corresponding C functions are `gnutls_init`, `gnutls_set_default_priority`,
    /// `gnutls_credentials_set`, `gnutls_server_name_set` and `gnutls_session_set_verify_cert`.
    init(fd: Int32, host: String, address: String, credentials: TLSClientCredentials) throws(SendError) {
        var raw: OpaquePointer?
        let rc = gnutls_init(&raw, UInt32(GNUTLS_CLIENT | GNUTLS_NO_SIGNAL))
        guard rc == GNUTLS_E_SUCCESS, let raw else {
            throw SendError(code: .tls, message: "TLS with \(address): \(Self.text(rc))")
        }
        self.session = raw
        self.credentials = credentials
        self.address = address
        func check(_ rc: Int32, _ what: String) throws(SendError) {
            if rc < 0 { throw SendError(code: .tls, message: "TLS with \(address): \(what): \(Self.text(rc))") }
        }
        try check(gnutls_set_default_priority(raw), "priorities")
        try check(gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials.raw)), "credentials")
        // SNI carries names only, never address literals (RFC 6066).
        if !Self.isAddressLiteral(host) {
            try check(gnutls_server_name_set(raw, GNUTLS_NAME_DNS, host, host.utf8.count), "server name")
        }
        gnutls_session_set_verify_cert(raw, host, 0)
        CGnuTLS_transport_set_int(raw, fd)
    }

    deinit { gnutls_deinit(session) }

    /// Runs the handshake, waiting with `poll` while the socket is not ready, until `deadline`.
    /// - Parameters:
    ///   - fd: The socket.
    ///   - deadline: When to give up.
    /// - Throws: ``SendError`` with ``SendError/Code/tls`` naming why the receiver's certificate was
    ///   refused or which alert the receiver sent; ``SystemError`` (retryable like a connect error)
    ///   when the connection broke or timed out mid-handshake.
    /// The corresponding C functions are `gnutls_handshake`, `gnutls_record_get_direction` and `poll`.
    func handshake(fd: Int32, deadline: ContinuousClock.Instant) throws {
        while true {
            let rc = gnutls_handshake(session)
            if rc == GNUTLS_E_SUCCESS { return }
            if rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED {
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { throw SystemError(operation: "TLS handshake with \(address)", errno: ETIMEDOUT) }
                let events = gnutls_record_get_direction(session) == 0 ? POLLIN : POLLOUT
                var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
                _ = poll(&pfd, 1, Int32(max(1, left.milliseconds)))
                continue
            }
            if gnutls_error_is_fatal(rc) == 0 { continue }
            if rc == GNUTLS_E_PUSH_ERROR || rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PREMATURE_TERMINATION {
                throw SystemError(operation: "TLS handshake with \(address)", errno: errno == 0 ? ECONNRESET : errno)
            }
            throw failure(Int(rc), during: "TLS handshake with \(address) failed")
        }
    }

    /// Encrypts and sends bytes: at most one record's worth per call.
    /// - Parameters:
    ///   - bytes: The bytes.
    ///   - count: How many.
    /// - Returns: How many bytes it took (> 0), or a GnuTLS error code (`GNUTLS_E_AGAIN`: call again
    ///   with the same arguments once the socket has room).
    /// The corresponding C function is `gnutls_record_send`.
    func send(_ bytes: UnsafeRawPointer, count: Int) -> Int {
        gnutls_record_send(session, bytes, count)
    }

    /// Receives and decrypts bytes.
    /// - Parameters:
    ///   - buffer: Where they go.
    ///   - count: The most to take.
    /// - Returns: How many (> 0), 0 at the end of the connection, or a GnuTLS error code
    ///   (`GNUTLS_E_AGAIN`: nothing yet).
    /// The corresponding C function is `gnutls_record_recv`.
    func receive(_ buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        gnutls_record_recv(session, buffer, count)
    }

    /// Whether the receiver asked for a client certificate in the handshake.
    /// The corresponding C function is `gnutls_certificate_client_get_request_status`.
    var clientCertificateRequested: Bool { gnutls_certificate_client_get_request_status(session) != 0 }

    /// The client certificate the session presents when asked, nil for none.
    var clientCertificateFile: String? { credentials.certificateFile }

    /// Whether decrypted bytes wait in the session (so `poll` on the socket would not show them).
    /// The corresponding C function is `gnutls_record_check_pending`.
    var hasPending: Bool { gnutls_record_check_pending(session) > 0 }

    /// Sends `close_notify` if the socket takes it at once; never waits.
    /// The corresponding C function is `gnutls_bye`.
    func bye() { _ = gnutls_bye(session, GNUTLS_SHUT_WR) }

    /// The error of a fatal GnuTLS code, naming the reason: the receiver's alert, or why its
    /// certificate did not verify.
    /// - Parameters:
    ///   - rc: The code.
    ///   - context: What failed, in words.
    /// - Returns: A ``SendError/Code/tls`` error.
    /// The corresponding C functions are `gnutls_alert_get`, `gnutls_alert_get_name`,
    /// `gnutls_session_get_verify_cert_status` and `gnutls_certificate_verification_status_print`.
    func failure(_ rc: Int, during context: String) -> SendError {
        var reason = Self.text(Int32(clamping: rc))
        if rc == GNUTLS_E_FATAL_ALERT_RECEIVED, let name = gnutls_alert_get_name(gnutls_alert_get(session)) {
            reason = "the receiver sent the alert '\(String(cString: name))'"
        } else if rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR {
            let status = gnutls_session_get_verify_cert_status(session)
            var printed = gnutls_datum_t()
            if gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &printed, 0) == 0,
                let data = printed.data
            {
                reason = "the receiver's certificate was refused: " + String(String(cString: data).reversed().drop { $0 == " " }.reversed())
                CGnuTLS_free(data)
            }
        }
        return SendError(code: .tls, message: "\(context): \(reason)")
    }

    /// GnuTLS's text for an error code.
    /// The corresponding C function is `gnutls_strerror`.
    static func text(_ rc: Int32) -> String { String(cString: gnutls_strerror(rc)) }

    /// Whether a host is an IPv4 or IPv6 address rather than a name.
    private static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
