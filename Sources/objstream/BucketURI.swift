import ObjStreamWire

/// Bucket URIs on the command line: `scheme://[@uuid][#ns/]name`, like `ais://b`, `s3://b`, `ais://@uuid#ns/b`.
enum BucketURI {
    /// The providers of the schemes.
    private static let providers = [
        "ais": "ais", "s3": "aws", "aws": "aws", "gs": "gcp", "gcp": "gcp", "az": "azure", "azure": "azure",
        "oc": "oci", "oci": "oci", "ht": "ht",
    ]

    /// Parses the value of `--bucket`.
    /// - Parameter text: The URI.
    /// - Returns: The bucket.
    /// - Throws: `UsageError` `invalidValue`, like `--bucket 'b': expected scheme://name (...)`.
    static func parse(_ text: String) throws(UsageError) -> Bucket {
        func problem(_ reason: String) -> UsageError { UsageError(.invalidValue, "--bucket '\(text)': \(reason)") }
        guard let separator = text.range(of: "://") else {
            throw problem("expected scheme://name (ais://, s3://, gs://, az://, oc://)")
        }
        let scheme = String(text[..<separator.lowerBound])
        guard let provider = providers[scheme] else { throw problem("unknown scheme '\(scheme)'") }
        var rest = Substring(text[separator.upperBound...])
        var namespace = Namespace.global
        if rest.hasPrefix("@") || rest.hasPrefix("#") {
            guard let slash = rest.firstIndex(of: "/") else { throw problem("namespace without '/name' after it") }
            let ns = rest[..<slash]
            rest = rest[rest.index(after: slash)...]
            if let hash = ns.firstIndex(of: "#") {
                namespace = Namespace(
                    uuid: String(ns[..<hash].dropFirst(ns.hasPrefix("@") ? 1 : 0)), name: String(ns[ns.index(after: hash)...]))
            } else {
                namespace = Namespace(uuid: String(ns.dropFirst()))
            }
        }
        guard !rest.isEmpty else { throw problem("empty bucket name") }
        guard !rest.contains("/") else { throw problem("bucket name holds '/'") }
        return Bucket(name: String(rest), provider: provider, namespace: namespace)
    }
}
