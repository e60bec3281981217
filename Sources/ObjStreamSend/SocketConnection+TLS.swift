import CGnuTLS
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The TLS side of a connection: the handshake after connect, record writes in place of
/// `sendmsg` and reads in place of `recv`. There is no `sendfile` under TLS (the kernel would
/// send the file's plain bytes), so a TLS stream reads files into its buffer and sends them
/// with the other frames (the gather path).
extension SocketConnection {
    /// Runs the TLS handshake on the connected socket.
    /// - Parameters:
    ///   - host: The URL's host, which the receiver's certificate must name.
    ///   - options: The credentials (``StreamOptions/tls``, else the system's trust store) and
    ///     the connect timeout, which bounds the handshake too.
    /// - Throws: ``SendError`` with ``SendError/Code/tls``, or a retryable ``SystemError`` when the
    ///   connection broke or timed out mid-handshake.
    func startTLS(host: String, options: StreamOptions) throws {
        let session = try TLSSession(
            fd: descriptor, host: host, address: address, credentials: options.tls ?? .system)
        try session.handshake(fd: descriptor, deadline: .now + options.connectTimeout)
        tls = session
    }

    /// Writes every byte of a gather list as TLS records, waiting (``awaitRoom(_:since:)``) whenever
    /// the socket is full; like ``write(_:count:)``, which calls it.
    /// - Parameters:
    ///   - session: The connection's TLS session.
    ///   - iov: The vectors; advanced in place as bytes go out.
    ///   - count: How many vectors.
    /// - Throws: ``SystemError`` for a broken connection, the write timeout, or a TLS failure
    ///   (`EPROTO`, naming GnuTLS's reason).
    /// The corresponding C functions are `gnutls_record_send` and `poll`.
    func writeTLS(_ session: TLSSession, _ iov: UnsafeMutablePointer<iovec>, count: Int) throws(SystemError) {
        var stalled: ContinuousClock.Instant?
        for i in 0..<count {
            while iov[i].iov_len > 0 {
                let n = session.send(iov[i].iov_base!, count: iov[i].iov_len)
                if n > 0 {
                    hasWritten = true
                    stalled = nil
                    iov[i].iov_base += n
                    iov[i].iov_len -= n
                    continue
                }
                if n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED {
                    let since = stalled ?? .now
                    stalled = since
                    try awaitRoom("gnutls_record_send", since: since)
                    continue
                }
                if n == GNUTLS_E_PUSH_ERROR { throw writeError("gnutls_record_send", errno == 0 ? EPIPE : errno) }
                throw SystemError(
                    operation: "gnutls_record_send to \(address): \(TLSSession.text(Int32(clamping: n)))", errno: EPROTO)
            }
        }
    }

    /// Why a TLS receiver that asked for a client certificate in the handshake closed the
    /// connection without a byte of answer: it refused the certificate (or that none was sent).
    /// A TLS 1.3 receiver checks the client's certificate after the client's side of the handshake
    /// has ended, and libmicrohttpd closes without an alert, so this is all the sender can see.
    /// - Returns: The ``SendError/Code/tls`` error, or nil for plain TCP or when no certificate was asked for.
    /// The corresponding C function is `gnutls_certificate_client_get_request_status`.
    func tlsRefusal() -> SendError? {
        guard let tls, tls.clientCertificateRequested else { return nil }
        let ours = tls.clientCertificateFile.map { "did not accept the client certificate \($0) (is it signed by the CA the receiver trusts, and valid?)" }
            ?? "requires a client certificate and none was given (--tls-cert, --tls-key)"
        return SendError(
            code: .tls,
            message: "\(address) closed the TLS connection without an answer after asking for a client certificate: it \(ours)")
    }

    /// Reads what has arrived, like `recv`: through the TLS session when there is one.
    /// - Parameter buffer: Where the bytes go.
    /// - Returns: How many bytes (> 0), 0 at the end of the connection, -1 with `errno` set
    ///   (`EAGAIN`: nothing yet).
    /// - Throws: ``SendError`` with ``SendError/Code/tls`` when the receiver ended the session with
    ///   an alert (it refused the sender's certificate, say) or sent what is not TLS.
    /// The corresponding C functions are `recv` and `gnutls_record_recv`.
    func receive(into buffer: inout [UInt8]) throws(SendError) -> Int {
        guard let tls else {
            return retryingOnInterrupt { buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) } }
        }
        let n = buffer.withUnsafeMutableBytes { tls.receive($0.baseAddress!, count: $0.count) }
        if n >= 0 { return n }
        switch Int32(clamping: n) {
        case GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED:
            errno = EAGAIN
            return -1
        case GNUTLS_E_PREMATURE_TERMINATION:
            // Closed without close_notify: the end of the connection, as HTTP/1.1 receivers do.
            return 0
        case GNUTLS_E_PULL_ERROR:
            if errno == 0 { errno = ECONNRESET }
            return -1
        default:
            throw tls.failure(n, during: "TLS with \(address)")
        }
    }
}
