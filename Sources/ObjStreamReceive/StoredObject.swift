import ObjStreamWire

/// One object of a file store, as ``StoreCatalog`` finds it: its bucket, exact name and file.
public struct StoredObject: Sendable, Hashable {
    /// The object's bucket.
    public var bucket: StoredBucket
    /// The object's exact name.
    public var name: [UInt8]
    /// The file that holds its bytes.
    public var path: String
    /// The folder of its bucket (where its sidecar is, if it has one).
    public var bucketFolder: String

    /// Creates an entry.
    public init(bucket: StoredBucket, name: [UInt8], path: String, bucketFolder: String) {
        self.bucket = bucket
        self.name = name
        self.path = path
        self.bucketFolder = bucketFolder
    }

    /// The line `objstream store ls` prints: the bucket (``StoredBucket/description``), `/`, and
    /// the name's listed form (``NameEscaping/listed(_:)``).
    public var listing: String { bucket.description + "/" + NameEscaping.listed(name) }

    /// Reads the object's attributes: its extended attributes, or its sidecar.
    /// - Returns: The attributes.
    /// - Throws: ``ReceiveError`` ``ReceiveError/Code/store`` naming the file when they cannot be read.
    public func attributes() throws(ReceiveError) -> StoreAttributes {
        do {
            return try StoreAttributes.read(file: path, bucketFolder: bucketFolder)
        } catch {
            throw ReceiveError(code: .store, message: "cannot read the attributes of \(path): \(error)", errno: error.code)
        }
    }
}
