import Foundation
import ObjStreamTestSupport
import Testing

/// TLS on both sides, as real processes: `objstream serve` with a `tls` section (libmicrohttpd's
/// GnuTLS, client certificates required) and `objstream send` to `https://` with certificates
/// made by `certtool`.
@Suite struct MutualTLSTests {
    private let binary = TestPaths.objstreamBinary.path

    /// The objects of one bucket in the gateway's store, by name.
    private func stored(_ gateway: ServedGateway, bucket: String) -> [String: Data] {
        let folder = gateway.folder.appendingPathComponent("store/ais/@global/\(bucket)")
        var found: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            found[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return found
    }

    @Test func mutualTLSStreamsArriveWholePlainWithPDUsAndCompressed() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let gateway = try ServedGateway(endpoints: #"{"name": "store", "action": "store"}"#, tls: certificates.section())
        defer { gateway.stop() }
        #expect(gateway.process.line(containing: "over mutual TLS") != nil)
        let dir = try TestPaths.temporaryDirectory("objstream-tls-files")
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String: Data] = [:]
        // A file larger than a chunk (sendfile's path without TLS), one between, one small.
        for (name, size) in [("big.bin", 1_500_000), ("mid.bin", 100_000), ("small.bin", 1000)] {
            let data = Data(PayloadPattern.bytes(for: name, size: size))
            try data.write(to: dir.appendingPathComponent(name))
            files[name] = data
        }
        for (bucket, extra) in [("tls-plain", []), ("tls-pdu", ["--pdu", "64KiB"]), ("tls-lz4", ["--compress"])] {
            let result = try ChildProcess.run(
                binary,
                [
                    "send", "https://localhost:\(gateway.port)/v1/objstream/store", dir.path, "--bucket", "ais://\(bucket)",
                    "--ca", certificates.caCertificate, "--tls-cert", certificates.clientCertificate, "--tls-key",
                    certificates.clientKey,
                ] + extra)
            #expect(result.status == 0, "\(bucket): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.hasPrefix("sent 3 objects, 1601000 bytes in "), "\(bucket): \(result.stdout)")
            // Confirmed delivery: the receiver answered for them, so they are in its store now.
            #expect(stored(gateway, bucket: bucket) == files, "\(bucket)")
        }
    }

    /// A send that the gateway must refuse: every object fails with the `tls` code, the reason named.
    private func expectRefused(
        _ gateway: ServedGateway, host: String, _ arguments: [String], reason: String, bucket: String
    ) throws {
        let report = try TestPaths.temporaryDirectory("objstream-tls-report").appendingPathComponent("report.json")
        let result = try ChildProcess.run(
            binary,
            [
                "send", "https://\(host):\(gateway.port)/v1/objstream/store", "--synthetic", "3", "--size", "1KiB",
                "--bucket", "ais://\(bucket)", "--retries", "0", "--report", report.path,
            ] + arguments)
        #expect(result.status == 1, "\(bucket): \(result.stdout) \(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any], "\(bucket)")
        #expect(json["delivered"] as? Int == 0, "\(bucket)")
        let failed = json["failed"] as? [[String: Any]] ?? []
        #expect(failed.count == 3, "\(bucket): \(failed)")
        for failure in failed {
            #expect(failure["error"] as? String == "tls", "\(bucket): \(failure)")
            let message = failure["message"] as? String ?? ""
            #expect(message.contains(reason), "\(bucket): \(message)")
        }
        #expect(stored(gateway, bucket: bucket).isEmpty, "\(bucket)")
    }

    @Test func clientsWithoutACertificateWithAnotherCAsOrCheckingTheWrongNameAreRefused() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let gateway = try ServedGateway(endpoints: #"{"name": "store", "action": "store"}"#, tls: certificates.section())
        defer { gateway.stop() }
        let ca = ["--ca", certificates.caCertificate]
        try expectRefused(
            gateway, host: "localhost", ca,
            reason: "after asking for a client certificate: it requires a client certificate and none was given",
            bucket: "no-cert")
        try expectRefused(
            gateway, host: "localhost",
            ca + ["--tls-cert", certificates.strangerCertificate, "--tls-key", certificates.strangerKey],
            reason: "did not accept the client certificate \(certificates.strangerCertificate)", bucket: "stranger")
        // The gateway's certificate names localhost only.
        try expectRefused(
            gateway, host: "127.0.0.1",
            ca + ["--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey],
            reason: "the receiver's certificate was refused: The certificate is NOT trusted. The name in the certificate does not match the expected.",
            bucket: "wrong-name")
        // A sender that does not trust the gateway's CA refuses it in the handshake.
        try expectRefused(
            gateway, host: "localhost",
            ["--ca", certificates.path("other-ca.pem"), "--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey],
            reason: "The certificate issuer is unknown", bucket: "untrusted")
    }

    @Test func configCheckNamesTheTLSFieldWhoseFileCannotBeUsed() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        func check(_ tls: String) throws -> ChildProcess.Outcome {
            let path = certificates.path("objstream.json")
            try #"{"listen": "127.0.0.1:0", "tls": \#(tls)}"#.write(toFile: path, atomically: true, encoding: .utf8)
            return try ChildProcess.run(binary, ["config", "check", path])
        }
        let good = try check(certificates.section())
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("ok (listen 127.0.0.1:0 over mutual TLS,"), "\(good.stdout)")
        let cases: [(String, String)] = [
            (
                #"{"cert": "/nonexistent.pem", "key": "\#(certificates.serverKey)"}"#,
                #"tls.cert: "/nonexistent.pem": cannot read /nonexistent.pem"#
            ),
            (
                #"{"cert": "\#(certificates.serverKey)", "key": "\#(certificates.serverKey)"}"#,
                #"tls.cert: "\#(certificates.serverKey)": \#(certificates.serverKey) is not a PEM certificate: "#
            ),
            (
                #"{"cert": "\#(certificates.serverCertificate)", "key": "\#(certificates.clientKey)"}"#,
                #"tls.key: "\#(certificates.clientKey)": \#(certificates.clientKey) does not go with \#(certificates.serverCertificate): "#
            ),
            (
                #"{"cert": "\#(certificates.serverCertificate)", "key": "\#(certificates.serverKey)", "client_ca": "\#(certificates.serverKey)"}"#,
                #"tls.client_ca: "\#(certificates.serverKey)": \#(certificates.serverKey) holds no PEM certificate"#
            ),
            (
                #"{"cert": "\#(certificates.serverCertificate)", "key": "\#(certificates.serverKey)", "priorities": "NORMAL:+NOPE"}"#,
                #"tls.priorities: "NORMAL:+NOPE": not a GnuTLS priority string at '+NOPE': "#
            ),
        ]
        for (tls, problem) in cases {
            let result = try check(tls)
            #expect(result.status == 1, "\(tls)")
            #expect(result.stderr.hasPrefix(problem), "\(result.stderr)")
            #expect(result.stderr.hasSuffix(": 1 problem\n"), "\(result.stderr)")
        }
    }
}
