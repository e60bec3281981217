/// A bucket: name, backend provider and namespace.
public struct Bucket: Hashable, Sendable, CustomStringConvertible {
    /// The bucket's name.
    public var name: String
    /// The backend provider: `ais`, `aws`, `gcp`, `azure`, `oci`, `ht`, ...
    public var provider: String
    /// The bucket's namespace.
    public var namespace: Namespace

    /// Creates a bucket.
    public init(name: String, provider: String = "ais", namespace: Namespace = .global) {
        self.name = name
        self.provider = provider
        self.namespace = namespace
    }

    /// Parses a bucket URI, `scheme://name` or `scheme://[@uuid][#ns]/name`: the inverse of ``description``.
    ///
    /// Schemes: `ais`, `s3`/`aws`, `gs`/`gcp`, `az`/`azure`, `oc`/`oci`, `ht`.
    /// - Parameter uri: The URI.
    /// - Throws: ``BucketURIError`` naming what is wrong.
    public init(parsing uri: String) throws(BucketURIError) {
        guard let separator = uri.firstRange(of: "://") else {
            throw BucketURIError(code: .missingScheme, message: "expected scheme://name (ais://, s3://, gs://, az://, oc://)")
        }
        let scheme = String(uri[..<separator.lowerBound])
        guard let provider = Bucket.providers[scheme] else {
            throw BucketURIError(code: .unknownScheme, message: "unknown scheme '\(scheme)'")
        }
        var rest = uri[separator.upperBound...]
        var namespace = Namespace.global
        if rest.hasPrefix("@") || rest.hasPrefix("#") {
            guard let slash = rest.firstIndex(of: "/") else {
                throw BucketURIError(code: .namespaceWithoutName, message: "namespace without '/name' after it")
            }
            let ns = rest[..<slash]
            rest = rest[rest.index(after: slash)...]
            if let hash = ns.firstIndex(of: "#") {
                namespace = Namespace(
                    uuid: String(ns[..<hash].dropFirst(ns.hasPrefix("@") ? 1 : 0)), name: String(ns[ns.index(after: hash)...]))
            } else {
                namespace = Namespace(uuid: String(ns.dropFirst()))
            }
        }
        guard !rest.isEmpty else { throw BucketURIError(code: .emptyName, message: "empty bucket name") }
        guard !rest.contains("/") else { throw BucketURIError(code: .nameHoldsSlash, message: "bucket name holds '/'") }
        self.init(name: String(rest), provider: provider, namespace: namespace)
    }

    /// The known providers and the URI scheme each is written with: the one table behind
    /// ``scheme(ofProvider:)`` and ``init(parsing:)``.
    private static let schemes: [(provider: String, scheme: String)] = [
        ("ais", "ais"), ("aws", "s3"), ("gcp", "gs"), ("azure", "az"), ("oci", "oc"), ("ht", "ht"),
    ]

    /// The provider of each URI scheme, taken by its scheme and by the provider's own name.
    private static let providers: [String: String] = Dictionary(
        schemes.flatMap { [($0.scheme, $0.provider), ($0.provider, $0.provider)] }, uniquingKeysWith: { first, _ in first })

    /// The URL scheme a provider is written with (`aws` is `s3`, `gcp` is `gs`, ...).
    public static func scheme(ofProvider provider: String) -> String {
        schemes.first { $0.provider == provider }?.scheme ?? provider
    }

    /// `scheme://name`, or `scheme://@uuid#ns/name` outside the global namespace.
    public var description: String {
        let scheme = Bucket.scheme(ofProvider: provider) + "://"
        return namespace.isGlobal ? scheme + name : scheme + namespace.description + "/" + name
    }
}
