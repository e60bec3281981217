import ObjStreamWire

/// A header built again from another's field bytes, through the API that applications use.
enum HeaderRebuild {
    /// Copies every field of `header` into a new header, string fields with
    /// ``ObjectHeader/bytes(of:)`` and ``ObjectHeader/setBytes(_:of:)``.
    /// - Parameter header: A decoded header.
    /// - Returns: The copy, which must equal `header`.
    static func fieldByField(_ header: ObjectHeader) -> ObjectHeader {
        let metadata = header.attributes.customMetadata.count
        var copy = ObjectHeader(
            opcode: header.opcode, opaque: header.opaque,
            attributes: ObjectAttributes(
                size: header.attributes.size, atime: header.attributes.atime,
                customMetadata: Array(repeating: MetadataEntry("", ""), count: metadata)))
        var fields: [HeaderStringField] = [
            .senderID, .provider, .bucketName, .namespaceUUID, .namespaceName, .objectName, .demux, .checksumType,
            .checksumValue, .version,
        ]
        for i in 0..<metadata { fields += [.metadataKey(i), .metadataValue(i)] }
        for field in fields { copy.setBytes(header.bytes(of: field), of: field) }
        return copy
    }
}
