import ObjStreamWire

/// A bucket as the file store keeps it: provider, namespace and name as exact bytes (a
/// header's strings need not be UTF-8).
///
/// Its ``description`` is the project's bucket form (`ais://bucket`, `s3://@uuid#ns/bucket`,
/// see ``Bucket``) with each part written as its folder name (``StorePath/folderName(of:)``:
/// `%`, `/`, `#`, `@` and bytes outside printable ASCII percent-encoded), so it is the usual
/// form for usual names and never ambiguous: uuid `a#b` is `@a%23b`, uuid `a` name `b` is
/// `@a#b`. A provider whose scheme would read back as another provider (or that is not
/// printable ASCII) is written as its folder name with its first byte percent-encoded, like
/// `%73tore://b`. ``init(listing:)`` reads the form back.
public struct StoredBucket: Hashable, Sendable, CustomStringConvertible {
    /// The provider (`ais`, `aws`, ...).
    public var provider: [UInt8]
    /// The namespace's UUID; empty with an empty ``namespaceName`` for the global namespace.
    public var namespaceUUID: [UInt8]
    /// The namespace's name.
    public var namespaceName: [UInt8]
    /// The bucket's name.
    public var name: [UInt8]

    /// Creates a bucket from its bytes.
    /// - Parameters:
    ///   - provider: The provider.
    ///   - namespaceUUID: The namespace's UUID.
    ///   - namespaceName: The namespace's name.
    ///   - name: The bucket's name.
    public init(provider: [UInt8], namespaceUUID: [UInt8] = [], namespaceName: [UInt8] = [], name: [UInt8]) {
        self.provider = provider
        self.namespaceUUID = namespaceUUID
        self.namespaceName = namespaceName
        self.name = name
    }

    /// The bucket of a wire bucket (its strings' UTF-8).
    /// - Parameter bucket: The bucket.
    public init(_ bucket: Bucket) {
        self.init(
            provider: Array(bucket.provider.utf8), namespaceUUID: Array(bucket.namespace.uuid.utf8),
            namespaceName: Array(bucket.namespace.name.utf8), name: Array(bucket.name.utf8))
    }

    /// Whether the namespace is the global one.
    public var isGlobalNamespace: Bool { namespaceUUID.isEmpty && namespaceName.isEmpty }

    /// `scheme://[@uuid][#ns/]name`, parts encoded (see the type's summary).
    public var description: String {
        var out = scheme + "://"
        if !isGlobalNamespace {
            if !namespaceUUID.isEmpty { out += "@" + StorePath.folderName(of: namespaceUUID) }
            if !namespaceName.isEmpty { out += "#" + StorePath.folderName(of: namespaceName) }
            out += "/"
        }
        return out + StorePath.folderName(of: name)
    }

    /// Reads the ``description`` form back.
    /// - Parameter text: `scheme://[@uuid][#ns/]name` with encoded parts; `ais://`, `s3://`, `gs://`,
    ///   `az://`, `oc://`, `ht://` and the providers' own names as schemes, any other scheme being the
    ///   provider's folder name.
    /// - Returns: The bucket, or nil when the text is not of that form.
    public init?(listing text: String) {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        let provider: [UInt8]
        if let known = StoredBucket.provider(ofScheme: String(scheme)) {
            provider = known
        } else {
            guard let decoded = StorePath.part(ofFolderName: scheme) else { return nil }
            provider = decoded
        }
        var rest = text[separator.upperBound...]
        var uuid: [UInt8] = []
        var namespaceName: [UInt8] = []
        if rest.hasPrefix("@") || rest.hasPrefix("#") {
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            var namespace = rest[..<slash]
            rest = rest[rest.index(after: slash)...]
            if namespace.hasPrefix("@") {
                let end = namespace.firstIndex(of: "#") ?? namespace.endIndex
                guard let decoded = StorePath.part(ofFolderName: namespace[namespace.index(after: namespace.startIndex)..<end]),
                    !decoded.isEmpty
                else { return nil }
                uuid = decoded
                namespace = namespace[end...]
            }
            if namespace.hasPrefix("#") {
                guard let decoded = StorePath.part(ofFolderName: namespace.dropFirst()), !decoded.isEmpty else { return nil }
                namespaceName = decoded
            } else if !namespace.isEmpty {
                return nil
            }
        }
        guard !rest.isEmpty, !rest.contains("/"), let name = StorePath.part(ofFolderName: rest) else { return nil }
        self.init(provider: provider, namespaceUUID: uuid, namespaceName: namespaceName, name: name)
    }

    /// The bucket in the wire's terms, for messages (bytes that are not UTF-8 repaired).
    public var bucket: Bucket {
        Bucket(
            name: String(decoding: name, as: UTF8.self), provider: String(decoding: provider, as: UTF8.self),
            namespace: Namespace(
                uuid: String(decoding: namespaceUUID, as: UTF8.self), name: String(decoding: namespaceName, as: UTF8.self)))
    }

    /// The scheme of ``description``: the provider's URI scheme when it reads back as the
    /// provider, else the provider's folder name with its first byte encoded.
    private var scheme: String {
        if let text = String(validating: provider, as: UTF8.self) {
            let scheme = Bucket.scheme(ofProvider: text)
            if StoredBucket.provider(ofScheme: scheme) == provider { return scheme }
        }
        let folder = StorePath.folderName(of: provider)
        if folder.isEmpty || folder.hasPrefix("%") { return folder }
        let first = provider[0]
        let digits = Array("0123456789ABCDEF")
        return "%" + String(digits[Int(first >> 4)]) + String(digits[Int(first & 0xf)]) + folder.dropFirst()
    }

    /// The provider of a known scheme (`s3` and `aws` are `aws`, ...).
    /// - Parameter scheme: A URI scheme.
    /// - Returns: The provider's bytes, or nil for a scheme that ``Bucket/init(parsing:)`` does not know.
    private static func provider(ofScheme scheme: String) -> [UInt8]? {
        guard !scheme.isEmpty, !scheme.contains("%"), let parsed = try? Bucket(parsing: scheme + "://b") else { return nil }
        return Array(parsed.provider.utf8)
    }
}
