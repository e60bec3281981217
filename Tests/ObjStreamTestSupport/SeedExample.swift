import ObjStreamWire

/// The objects of the seed's `Example (Headers)` and `Example (Obj)`.
public enum SeedExample {
    public static let lorem = """
        Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
        labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.
        """
    public static let duis = """
        Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.
        Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.
        """
    public static let et = """
        Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est
        eligendi optio, cumque nihil impedit, quo minus id, quod maxime placeat, facere possimus, omnis voluptas assumenda est, omnis dolor repellendus.
        """
    public static let temporibus = """
        Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet,
        ut et voluptates repudiandae sint et molestiae non-recusandae.
        """

    /// The first object: `s3://@uuid#namespace/abc` `X`, `hlen` 72.
    public static func firstHeader(size: Int = lorem.utf8.count) -> ObjectHeader {
        ObjectHeader(
            bucket: Bucket(name: "abc", provider: "aws", namespace: Namespace(uuid: "uuid", name: "namespace")),
            objectName: "X",
            attributes: ObjectAttributes(
                size: Int64(size), atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h1", version: "1"))
    }

    /// The second object: `ais://abracadabra` `p/q/s`, `hlen` 113.
    public static func secondHeader(size: Int = duis.utf8.count, customFirst: String = "xx") -> ObjectHeader {
        let custom = [MetadataEntry("xx", "11"), MetadataEntry("yy", "22")]
        return ObjectHeader(
            bucket: Bucket(name: "abracadabra", provider: "ais"),
            objectName: "p/q/s",
            opaque: Array("123".utf8),
            attributes: ObjectAttributes(
                size: Int64(size), atime: 663_346_294, checksumType: "xxhash2", checksumValue: "h2",
                version: "222222222222222222222222",
                customMetadata: customFirst == "xx" ? custom : custom.reversed()))
    }

    /// The seed's printed `Output` of Example (Headers).
    public static let headersOutput = [
        #"Bck:s3://@uuid#namespace/abc ObjName:X SID: Opaque:[] ObjAttrs:{231B, v"1", xxhash2[h1], map[]} (72)"#,
        #"Bck:ais://abracadabra ObjName:p/q/s SID: Opaque:[49 50 51] ObjAttrs:{213B, v"222222222222222222222222", xxhash2[h2], map[xx:11 yy:22]} (113)"#,
    ]
}
