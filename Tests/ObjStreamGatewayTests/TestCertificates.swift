import Foundation
import ObjStreamTestSupport

/// A throwaway PKI made with `certtool` (Debian `gnutls-bin`): a CA, a gateway certificate for
/// `localhost` only (no IP address, so `https://127.0.0.1` is the wrong server name), a client
/// certificate of that CA, and a client certificate of another CA.
struct TestCertificates {
    /// The folder of every file.
    let folder: URL
    var caCertificate: String { path("ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    /// A client certificate signed by another CA, which the gateway does not trust.
    var strangerCertificate: String { path("stranger.pem") }
    var strangerKey: String { path("stranger.key") }

    /// Makes the keys and certificates.
    /// - Throws: `RequiredTool.Missing` naming `gnutls-bin` without certtool, or certtool's failure.
    init() throws {
        let certtool = try RequiredTool.path("certtool", package: "gnutls-bin")
        folder = try TestPaths.temporaryDirectory("objstream-tls")
        func run(_ arguments: [String]) throws {
            let result = try ChildProcess.run(certtool, arguments)
            guard result.status == 0 else {
                throw ChildProcess.Failure(description: "certtool \(arguments.joined(separator: " ")): \(result.stderr)")
            }
        }
        func key(_ name: String) throws { try run(["--generate-privkey", "--key-type=ecdsa", "--outfile", path(name)]) }
        func template(_ name: String, _ lines: [String]) throws -> String {
            try (lines + ["expiration_days = 2"]).joined(separator: "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
            return path(name)
        }
        let caTemplate = try template("ca.tmpl", [#"cn = "objstream test CA""#, "ca", "cert_signing_key"])
        for ca in ["ca", "other-ca"] {
            try key("\(ca).key")
            try run([
                "--generate-self-signed", "--load-privkey", path("\(ca).key"), "--template", caTemplate, "--outfile",
                path("\(ca).pem"),
            ])
        }
        let serverTemplate = try template(
            "server.tmpl", [#"cn = "localhost""#, #"dns_name = "localhost""#, "tls_www_server", "signing_key", "encryption_key"])
        let clientTemplate = try template("client.tmpl", [#"cn = "node-a""#, "tls_www_client", "signing_key"])
        for (name, ca, tmpl) in [("server", "ca", serverTemplate), ("client", "ca", clientTemplate), ("stranger", "other-ca", clientTemplate)] {
            try key("\(name).key")
            try run([
                "--generate-certificate", "--load-privkey", path("\(name).key"), "--load-ca-certificate", path("\(ca).pem"),
                "--load-ca-privkey", path("\(ca).key"), "--template", tmpl, "--outfile", path("\(name).pem"),
            ])
        }
    }

    /// A file in the folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The `tls` section of a gateway with these certificates; mutual TLS unless `clientCA` is false.
    func section(clientCA: Bool = true) -> String {
        let ca = clientCA ? #", "client_ca": "\#(caCertificate)""# : ""
        return #"{"cert": "\#(serverCertificate)", "key": "\#(serverKey)"\#(ca)}"#
    }

    /// Removes the folder.
    func remove() { try? FileManager.default.removeItem(at: folder) }
}
