import Foundation

extension ObjStreamConfiguration {
    /// Reads the `tls` section: null (no TLS) or an object with `cert` and `key` (non-empty
    /// paths, required), `client_ca` and `priorities` (null or non-empty strings).
    /// - Parameters:
    ///   - value: The section's JSON value.
    ///   - r: The reader, which collects the problems.
    mutating func readTLS(_ value: Any, with r: inout ConfigReader) {
        if value is NSNull {
            tls = nil
            return
        }
        let path = "tls"
        guard let s = r.object(value, key: path, known: TLSConfiguration.keys) else { return }
        var section = TLSConfiguration(cert: "", key: "")
        let nonEmpty: (String) -> String? = { $0.isEmpty ? "must be a non-empty path" : nil }
        for name in ["cert", "key"] where s[name] == nil {
            r.report("tls.\(name)", NSNull(), "is required: the PEM \(name == "cert" ? "certificate" : "private key") file")
        }
        r.string(s, "cert", in: path, into: &section.cert, check: nonEmpty)
        r.string(s, "key", in: path, into: &section.key, check: nonEmpty)
        section.clientCA = optionalString(s, "client_ca", with: &r, "must be null (no client certificates) or a non-empty path")
        section.priorities = optionalString(
            s, "priorities", with: &r, "must be null (NORMAL) or a non-empty GnuTLS priority string")
        tls = section
    }

    /// A key that is absent or null (nil) or a non-empty string.
    private func optionalString(_ s: [String: Any], _ name: String, with r: inout ConfigReader, _ message: String)
        -> String?
    {
        guard let value = s[name], !(value is NSNull) else { return nil }
        guard let text = value as? String, !text.isEmpty else {
            r.report("tls.\(name)", value, message)
            return nil
        }
        return text
    }
}
