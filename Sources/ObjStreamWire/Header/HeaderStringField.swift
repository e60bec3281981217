/// A string field of an object header: what ``ObjectHeader/bytes(of:)``,
/// ``ObjectHeader/setBytes(_:of:)`` and ``ObjectHeader/undecodedStrings`` name.
public enum HeaderStringField: Hashable, Sendable, CustomStringConvertible {
    /// `SID`: ``ObjectHeader/senderID``.
    case senderID
    /// `Bck.Provider`: the bucket's ``Bucket/provider``.
    case provider
    /// `Bck.Name`: the bucket's ``Bucket/name``.
    case bucketName
    /// `Bck.Ns.UUID`: the namespace's ``Namespace/uuid``.
    case namespaceUUID
    /// `Bck.Ns.Name`: the namespace's ``Namespace/name``.
    case namespaceName
    /// `ObjName`: ``ObjectHeader/objectName``.
    case objectName
    /// `Demux`: ``ObjectHeader/demux``.
    case demux
    /// `Cksum.Type`: ``ObjectAttributes/checksumType``.
    case checksumType
    /// `Cksum.Value`: ``ObjectAttributes/checksumValue``.
    case checksumValue
    /// `Version`: ``ObjectAttributes/version``.
    case version
    /// The key of the custom metadata entry at this index of ``ObjectAttributes/customMetadata``.
    case metadataKey(Int)
    /// The value of the custom metadata entry at this index of ``ObjectAttributes/customMetadata``.
    case metadataValue(Int)

    /// The field's name in ``WireError/field``: `SID`, `ObjName`, `CustomMD[2].key`, ...
    public var description: String {
        switch self {
        case .senderID: "SID"
        case .provider: "Bck.Provider"
        case .bucketName: "Bck.Name"
        case .namespaceUUID: "Bck.Ns.UUID"
        case .namespaceName: "Bck.Ns.Name"
        case .objectName: "ObjName"
        case .demux: "Demux"
        case .checksumType: "Cksum.Type"
        case .checksumValue: "Cksum.Value"
        case .version: "Version"
        case .metadataKey(let i): "CustomMD[\(i)].key"
        case .metadataValue(let i): "CustomMD[\(i)].value"
        }
    }
}
