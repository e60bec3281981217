import ObjStreamWire
import Testing

/// `Bucket(parsing:)`: every provider scheme, namespaces, and each thing a URI can get wrong.
@Suite struct BucketURITests {
    @Test(arguments: [
        ("ais://b", "ais"), ("s3://b", "aws"), ("aws://b", "aws"), ("gs://b", "gcp"), ("gcp://b", "gcp"),
        ("az://b", "azure"), ("azure://b", "azure"), ("oc://b", "oci"), ("oci://b", "oci"), ("ht://b", "ht"),
    ])
    func everySchemeNamesItsProvider(uri: String, provider: String) throws {
        let bucket = try Bucket(parsing: uri)
        #expect(bucket == Bucket(name: "b", provider: provider))
    }

    @Test func namespacesWithUUIDNameOrBoth() throws {
        #expect(try Bucket(parsing: "s3://@uuid#ns/b") == Bucket(name: "b", provider: "aws", namespace: Namespace(uuid: "uuid", name: "ns")))
        #expect(try Bucket(parsing: "ais://@uuid/b") == Bucket(name: "b", namespace: Namespace(uuid: "uuid")))
        #expect(try Bucket(parsing: "ais://#ns/b") == Bucket(name: "b", namespace: Namespace(name: "ns")))
        #expect(try Bucket(parsing: "ais://b").namespace.isGlobal)
    }

    @Test(arguments: ["ais://b", "s3://b", "gs://@uuid#ns/b", "az://#ns/b", "oc://@uuid/b", "ht://b"])
    func descriptionParsesBackToTheSameBucket(uri: String) throws {
        let bucket = try Bucket(parsing: uri)
        #expect(bucket.description == uri)
        #expect(try Bucket(parsing: bucket.description) == bucket)
    }

    @Test(arguments: [
        ("b", BucketURIError.Code.missingScheme, "expected scheme://name (ais://, s3://, gs://, az://, oc://)"),
        ("ftp://b", .unknownScheme, "unknown scheme 'ftp'"),
        ("ais://@uuid#ns", .namespaceWithoutName, "namespace without '/name' after it"),
        ("ais://", .emptyName, "empty bucket name"),
        ("ais://@uuid/", .emptyName, "empty bucket name"),
        ("ais://a/b", .nameHoldsSlash, "bucket name holds '/'"),
    ])
    func eachErrorNamesWhatIsWrong(uri: String, code: BucketURIError.Code, message: String) {
        #expect(throws: BucketURIError(code: code, message: message)) { try Bucket(parsing: uri) }
    }
}
