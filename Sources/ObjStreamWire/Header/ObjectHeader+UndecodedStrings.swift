/// The exact bytes of header strings, for strings that are not valid UTF-8 (Go strings are bytes).
extension ObjectHeader {
    /// The exact bytes of a string field.
    /// - Parameter field: The field; a metadata index must be within ``ObjectAttributes/customMetadata``.
    /// - Returns: The field's ``undecodedStrings`` entry when it has one that still matches the field's
    ///   `String`, else the `String`'s UTF-8.
    public func bytes(of field: HeaderStringField) -> [UInt8] {
        let string = string(of: field)
        return undecodedBytes(of: field, matching: string) ?? Array(string.utf8)
    }

    /// Sets a string field from bytes: the field's `String` property gets their decoding (repaired,
    /// with U+FFFD, when they are not valid UTF-8) and ``undecodedStrings`` keeps the bytes when
    /// they are not valid UTF-8 (and drops any earlier entry of the field when they are).
    /// - Parameters:
    ///   - bytes: The field's bytes.
    ///   - field: The field; a metadata index must be within ``ObjectAttributes/customMetadata``.
    public mutating func setBytes(_ bytes: [UInt8], of field: HeaderStringField) {
        let string = String(decoding: bytes, as: UTF8.self)
        setString(string, of: field)
        if !string.utf8.elementsEqual(bytes) {
            undecodedStrings[field] = bytes
        } else if !undecodedStrings.isEmpty {
            undecodedStrings[field] = nil
        }
    }

    /// The field's undecoded bytes, if it has them and they still match its `String`.
    /// - Parameters:
    ///   - field: The field.
    ///   - string: The field's `String` property.
    /// - Returns: The bytes whose repaired decoding is `string`, byte for byte; nil when there are none.
    func undecodedBytes(of field: HeaderStringField, matching string: String) -> [UInt8]? {
        guard let raw = undecodedStrings[field], String(decoding: raw, as: UTF8.self).utf8.elementsEqual(string.utf8)
        else { return nil }
        return raw
    }

    /// The `String` property behind a field.
    /// - Parameter field: The field; a metadata index must be within ``ObjectAttributes/customMetadata``.
    /// - Returns: The property's value.
    func string(of field: HeaderStringField) -> String {
        switch field {
        case .senderID: senderID
        case .provider: bucket.provider
        case .bucketName: bucket.name
        case .namespaceUUID: bucket.namespace.uuid
        case .namespaceName: bucket.namespace.name
        case .objectName: objectName
        case .demux: demux
        case .checksumType: attributes.checksumType
        case .checksumValue: attributes.checksumValue
        case .version: attributes.version
        case .metadataKey(let i): attributes.customMetadata[i].key
        case .metadataValue(let i): attributes.customMetadata[i].value
        }
    }

    /// Sets the `String` property behind a field.
    /// - Parameters:
    ///   - string: The new value.
    ///   - field: The field; a metadata index must be within ``ObjectAttributes/customMetadata``.
    mutating func setString(_ string: String, of field: HeaderStringField) {
        switch field {
        case .senderID: senderID = string
        case .provider: bucket.provider = string
        case .bucketName: bucket.name = string
        case .namespaceUUID: bucket.namespace.uuid = string
        case .namespaceName: bucket.namespace.name = string
        case .objectName: objectName = string
        case .demux: demux = string
        case .checksumType: attributes.checksumType = string
        case .checksumValue: attributes.checksumValue = string
        case .version: attributes.version = string
        case .metadataKey(let i): attributes.customMetadata[i].key = string
        case .metadataValue(let i): attributes.customMetadata[i].value = string
        }
    }
}
