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

    /// The URL scheme a provider is written with (`aws` is `s3`, `gcp` is `gs`, ...).
    public static func scheme(ofProvider provider: String) -> String {
        switch provider {
        case "aws": "s3"
        case "gcp": "gs"
        case "azure": "az"
        case "oci": "oc"
        default: provider
        }
    }

    /// `scheme://name`, or `scheme://@uuid#ns/name` outside the global namespace.
    public var description: String {
        let scheme = Bucket.scheme(ofProvider: provider) + "://"
        return namespace.isGlobal ? scheme + name : scheme + namespace.description + "/" + name
    }
}
