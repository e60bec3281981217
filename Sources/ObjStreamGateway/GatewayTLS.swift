import CGnuTLS
import Foundation

/// The TLS of the stream listener, through libmicrohttpd's GnuTLS support: the gateway's
/// certificate and key, optionally the authority whose client certificates it requires
/// (mutual TLS), and GnuTLS priorities.
///
/// With a client CA every connection must present a certificate signed by it: the handshake
/// fails otherwise (libmicrohttpd itself only asks for one; the gateway makes it required and
/// verified on each connection's GnuTLS session before the handshake, see ``ListenerDaemon``).
public struct GatewayTLS: Sendable, Equatable {
    /// The PEM certificate (chain) the gateway presents.
    public var certificate: String
    /// Its PEM private key.
    public var key: String
    /// The PEM certificates of the authorities that sign client certificates; nil: no client certificate asked for.
    public var clientCA: String?
    /// A GnuTLS priority string (`NORMAL`, `SECURE256:-VERS-TLS1.2`, ...); nil: libmicrohttpd's `NORMAL`.
    public var priorities: String?

    /// Creates the TLS settings from PEM texts (see ``load(certificateFile:keyFile:clientCAFile:priorities:)``
    /// to read and check files).
    public init(certificate: String, key: String, clientCA: String? = nil, priorities: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
        self.priorities = priorities
    }

    /// The fields of the `tls` configuration section, for naming what is wrong.
    public enum Field: String, Sendable {
        case cert, key
        case clientCA = "client_ca"
        case priorities
    }

    /// Reads the files and checks each with GnuTLS: the certificate parses, the key parses and
    /// belongs to it, the client CA holds at least one certificate, the priorities parse.
    /// - Parameters:
    ///   - certificateFile: The gateway's PEM certificate.
    ///   - keyFile: Its PEM private key.
    ///   - clientCAFile: The PEM authorities of client certificates, or nil.
    ///   - priorities: A GnuTLS priority string, or nil.
    /// - Returns: The settings.
    /// - Throws: The first problem: which field, and what is wrong with its file.
    public static func load(
        certificateFile: String, keyFile: String, clientCAFile: String? = nil, priorities: String? = nil
    ) throws(GatewayTLSProblem) -> GatewayTLS {
        let certificate = try read(certificateFile, .cert)
        let key = try read(keyFile, .key)
        let clientCA = try clientCAFile.map { (path) throws(GatewayTLSProblem) in try read(path, .clientCA) }
        let tls = GatewayTLS(certificate: certificate, key: key, clientCA: clientCA, priorities: priorities)
        try tls.check(certificateFile: certificateFile, keyFile: keyFile, clientCAFile: clientCAFile)
        return tls
    }

    private static func read(_ path: String, _ field: Field) throws(GatewayTLSProblem) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GatewayTLSProblem(field: field, message: "cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Checks the PEM texts with GnuTLS.
    /// The corresponding C functions are `gnutls_x509_crt_import`, `gnutls_x509_privkey_import2`,
    /// `gnutls_certificate_set_x509_key_mem`, `gnutls_certificate_set_x509_trust_mem` and `gnutls_priority_init`.
    private func check(certificateFile: String, keyFile: String, clientCAFile: String?) throws(GatewayTLSProblem) {
        func fail(_ field: Field, _ what: String, _ rc: Int32) -> GatewayTLSProblem {
            GatewayTLSProblem(field: field, message: "\(what): \(String(cString: gnutls_strerror(rc)))")
        }
        var credentials: OpaquePointer?
        guard gnutls_certificate_allocate_credentials(&credentials) == GNUTLS_E_SUCCESS, let credentials else {
            throw GatewayTLSProblem(field: .cert, message: "cannot allocate GnuTLS credentials")
        }
        defer { gnutls_certificate_free_credentials(credentials) }
        var rc = Self.withDatum(certificate) { cert in
            var crt: OpaquePointer?
            gnutls_x509_crt_init(&crt)
            defer { gnutls_x509_crt_deinit(crt) }
            return gnutls_x509_crt_import(crt, cert, GNUTLS_X509_FMT_PEM)
        }
        if rc < 0 { throw fail(.cert, "\(certificateFile) is not a PEM certificate", rc) }
        rc = Self.withDatum(key) { key in
            var privateKey: OpaquePointer?
            gnutls_x509_privkey_init(&privateKey)
            defer { gnutls_x509_privkey_deinit(privateKey) }
            return gnutls_x509_privkey_import2(privateKey, key, GNUTLS_X509_FMT_PEM, nil, 0)
        }
        if rc < 0 { throw fail(.key, "\(keyFile) is not an unencrypted PEM private key", rc) }
        rc = Self.withDatum(certificate) { cert in
            Self.withDatum(key) { key in gnutls_certificate_set_x509_key_mem(credentials, cert, key, GNUTLS_X509_FMT_PEM) }
        }
        if rc < 0 { throw fail(.key, "\(keyFile) does not go with \(certificateFile)", rc) }
        if let clientCA, let clientCAFile {
            let n = Self.withDatum(clientCA) { gnutls_certificate_set_x509_trust_mem(credentials, $0, GNUTLS_X509_FMT_PEM) }
            if n < 0 { throw fail(.clientCA, "\(clientCAFile) is not a PEM certificate list", n) }
            if n == 0 { throw GatewayTLSProblem(field: .clientCA, message: "\(clientCAFile) holds no PEM certificate") }
        }
        if let priorities {
            var cache: OpaquePointer?
            var errorAt: UnsafePointer<CChar>?
            let rc = gnutls_priority_init(&cache, priorities, &errorAt)
            if rc < 0 {
                let at = errorAt.map { " at '\(String(cString: $0))'" } ?? ""
                throw fail(.priorities, "not a GnuTLS priority string\(at)", rc)
            }
            gnutls_priority_deinit(cache)
        }
    }

    /// Calls `body` with a `gnutls_datum_t` over the UTF-8 bytes of a text.
    private static func withDatum(_ text: String, _ body: (UnsafePointer<gnutls_datum_t>) -> Int32) -> Int32 {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var datum = gnutls_datum_t(data: buffer.baseAddress, size: UInt32(buffer.count))
            return body(&datum)
        }
    }
}
