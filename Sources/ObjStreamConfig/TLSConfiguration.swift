/// The `tls` section: TLS on the stream listener of `objstream serve`, mutual with a client CA.
///
/// The files are read and checked (they parse, the key goes with the certificate) by
/// `objstream config check` and when `serve` starts, not when the configuration is parsed.
public struct TLSConfiguration: Sendable, Equatable {
    /// The gateway's PEM certificate (chain) file (`cert`, required).
    public var cert: String
    /// Its PEM private key file (`key`, required).
    public var key: String
    /// The PEM file of the authorities whose client certificates the gateway requires (`client_ca`);
    /// nil: clients present no certificate.
    public var clientCA: String?
    /// A GnuTLS priority string (`priorities`); nil: libmicrohttpd's `NORMAL`.
    public var priorities: String?

    /// Creates the section.
    /// - Parameters:
    ///   - cert: The certificate file.
    ///   - key: The key file.
    ///   - clientCA: The client CA file, or nil.
    ///   - priorities: The GnuTLS priorities, or nil.
    public init(cert: String, key: String, clientCA: String? = nil, priorities: String? = nil) {
        self.cert = cert
        self.key = key
        self.clientCA = clientCA
        self.priorities = priorities
    }

    /// The keys of the section, in file order.
    static let keys = ["cert", "key", "client_ca", "priorities"]
}
