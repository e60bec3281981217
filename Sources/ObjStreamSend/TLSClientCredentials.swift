import CGnuTLS

/// The certificates a sender's TLS sessions use: the authorities it trusts for the
/// receiver's certificate (`--ca`, else the system's), and optionally its own certificate
/// and key for mutual TLS (`--tls-cert`, `--tls-key`).
///
/// Loaded once and shared by every stream: GnuTLS credentials may be used by many sessions
/// on many threads once set up.
public final class TLSClientCredentials: @unchecked Sendable {
    /// The credentials (`gnutls_certificate_credentials_t`).
    let raw: OpaquePointer
    /// The CA file, nil for the system's trust store.
    public let caFile: String?
    /// The client certificate file, nil when the sender presents none.
    public let certificateFile: String?

    /// Loads the trusted authorities and the sender's own certificate.
    /// - Parameters:
    ///   - caFile: A PEM file of the authorities that sign receivers' certificates; nil: the system's.
    ///   - certificateFile: The sender's PEM certificate (chain), for receivers that require one.
    ///   - keyFile: Its PEM private key; given exactly when `certificateFile` is.
    /// - Throws: ``SendError`` with ``SendError/Code/tls`` naming the file and what GnuTLS found wrong.
    /// The corresponding C functions are `gnutls_certificate_allocate_credentials`,
    /// `gnutls_certificate_set_x509_trust_file` (or `_system_trust`) and `gnutls_certificate_set_x509_key_file`.
    public init(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil) throws(SendError) {
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw SendError(code: .tls, message: "a client certificate needs its key and a key its certificate")
        }
        var credentials: OpaquePointer?
        let rc = gnutls_certificate_allocate_credentials(&credentials)
        guard rc == GNUTLS_E_SUCCESS, let credentials else {
            throw SendError(code: .tls, message: "cannot allocate TLS credentials: \(TLSSession.text(rc))")
        }
        self.raw = credentials
        self.caFile = caFile
        self.certificateFile = certificateFile
        if let caFile {
            let n = gnutls_certificate_set_x509_trust_file(credentials, caFile, GNUTLS_X509_FMT_PEM)
            if n < 0 { throw SendError(code: .tls, message: "CA file \(caFile): \(TLSSession.text(n))") }
            if n == 0 { throw SendError(code: .tls, message: "CA file \(caFile): no PEM certificate in it") }
        } else {
            _ = gnutls_certificate_set_x509_system_trust(credentials)
        }
        if let certificateFile, let keyFile {
            let rc = gnutls_certificate_set_x509_key_file(credentials, certificateFile, keyFile, GNUTLS_X509_FMT_PEM)
            if rc < 0 {
                throw SendError(
                    code: .tls,
                    message: "client certificate \(certificateFile) with key \(keyFile): \(TLSSession.text(rc))")
            }
        }
    }

    deinit { gnutls_certificate_free_credentials(raw) }

    /// The system's trust store and no client certificate: for `https://` without ``StreamOptions/tls``.
    static let system: TLSClientCredentials = {
        // Only allocation can fail without files, and then nothing else would work either.
        try! TLSClientCredentials(caFile: nil)
    }()
}
