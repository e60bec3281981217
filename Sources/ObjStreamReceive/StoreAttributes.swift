import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// What the file store keeps of an object besides its bytes, in the file's extended
/// attributes (`user.objstream.*`), or in a sidecar file when they do not fit.
///
/// | attribute | value |
/// |---|---|
/// | `user.objstream.name` | the object's name, exact bytes (only for an object stored under its shortened name) |
/// | `user.objstream.cksum_type` | the header's checksum type (absent when it has none) |
/// | `user.objstream.cksum_value` | the header's checksum value |
/// | `user.objstream.version` | the version (absent when empty) |
/// | `user.objstream.atime` | the access time, Unix nanoseconds in decimal ASCII (absent when 0) |
/// | `user.objstream.custom` | the custom metadata: for each entry in header order, the key then the value, each as a big-endian `u16` length and the bytes (the wire's string encoding, WIRE.md 2.2) |
/// | `user.objstream.sidecar` | set instead of all of the above when they do not fit the filesystem's attribute space: the name of the sidecar file in the bucket's folder that holds them |
///
/// A sidecar (`.x<hex SHA-256 of the name>.attrs` in the bucket's folder) is the line
/// `objstream-attrs 1\n`, then one record per attribute above: the attribute's name as a
/// big-endian `u16` length and bytes, its value as a big-endian `u32` length and bytes. An
/// object's file says whether its sidecar counts: a sidecar of an earlier version is ignored
/// once the file has no `user.objstream.sidecar`.
public struct StoreAttributes: Sendable, Hashable {
    /// One custom metadata entry, exact bytes.
    public struct Entry: Sendable, Hashable {
        /// The key (never empty on the wire).
        public var key: [UInt8]
        /// The value.
        public var value: [UInt8]

        /// Creates an entry.
        public init(key: [UInt8], value: [UInt8]) {
            self.key = key
            self.value = value
        }
    }

    /// The object's name, for an object stored under its shortened name; nil otherwise.
    public var name: [UInt8]?
    /// The checksum type, empty when there is none.
    public var checksumType: [UInt8] = []
    /// The checksum value.
    public var checksumValue: [UInt8] = []
    /// The version.
    public var version: [UInt8] = []
    /// The access time, Unix nanoseconds.
    public var atime: Int64 = 0
    /// The custom metadata, in header order.
    public var customMetadata: [Entry] = []

    /// Creates attributes.
    public init(
        name: [UInt8]? = nil, checksumType: [UInt8] = [], checksumValue: [UInt8] = [], version: [UInt8] = [],
        atime: Int64 = 0, customMetadata: [Entry] = []
    ) {
        self.name = name
        self.checksumType = checksumType
        self.checksumValue = checksumValue
        self.version = version
        self.atime = atime
        self.customMetadata = customMetadata
    }

    /// `user.objstream.name`.
    public static let nameAttribute = "user.objstream.name"
    /// `user.objstream.cksum_type`.
    public static let checksumTypeAttribute = "user.objstream.cksum_type"
    /// `user.objstream.cksum_value`.
    public static let checksumValueAttribute = "user.objstream.cksum_value"
    /// `user.objstream.version`.
    public static let versionAttribute = "user.objstream.version"
    /// `user.objstream.atime`.
    public static let atimeAttribute = "user.objstream.atime"
    /// `user.objstream.custom`.
    public static let customAttribute = "user.objstream.custom"
    /// `user.objstream.sidecar`.
    public static let sidecarAttribute = "user.objstream.sidecar"
    /// Every attribute an object may have besides ``sidecarAttribute``, in the order they are written.
    public static let attributeNames = [
        nameAttribute, checksumTypeAttribute, checksumValueAttribute, versionAttribute, atimeAttribute, customAttribute,
    ]
    /// The first line of a sidecar file.
    static let sidecarMagic = Array("objstream-attrs 1\n".utf8)

    /// The attributes as (name, value) pairs, empty ones left out, in ``attributeNames`` order.
    public var entries: [(name: String, value: [UInt8])] {
        var out: [(String, [UInt8])] = []
        if let name { out.append((Self.nameAttribute, name)) }
        if !checksumType.isEmpty { out.append((Self.checksumTypeAttribute, checksumType)) }
        if !checksumValue.isEmpty { out.append((Self.checksumValueAttribute, checksumValue)) }
        if !version.isEmpty { out.append((Self.versionAttribute, version)) }
        if atime != 0 { out.append((Self.atimeAttribute, Array(String(atime).utf8))) }
        if !customMetadata.isEmpty {
            var custom: [UInt8] = []
            for entry in customMetadata { Self.appendCustom(key: entry.key, value: entry.value, to: &custom) }
            out.append((Self.customAttribute, custom))
        }
        return out
    }

    /// Takes one attribute's value (an attribute it does not know is ignored).
    /// - Parameters:
    ///   - value: The bytes.
    ///   - attribute: The attribute's name.
    /// - Returns: false when the value is malformed (`custom` that does not parse, `atime` not a number).
    mutating func take(_ value: [UInt8], of attribute: String) -> Bool {
        switch attribute {
        case Self.nameAttribute: name = value
        case Self.checksumTypeAttribute: checksumType = value
        case Self.checksumValueAttribute: checksumValue = value
        case Self.versionAttribute: version = value
        case Self.atimeAttribute:
            guard let parsed = Int64(String(decoding: value, as: UTF8.self)) else { return false }
            atime = parsed
        case Self.customAttribute:
            guard let parsed = Self.custom(from: value) else { return false }
            customMetadata = parsed
        default: break
        }
        return true
    }

    /// Appends one custom metadata entry in the encoding of ``customAttribute``.
    /// - Parameters:
    ///   - key: The key's bytes.
    ///   - value: The value's bytes.
    ///   - buffer: Where the entry goes.
    static func appendCustom(key: some Collection<UInt8>, value: some Collection<UInt8>, to buffer: inout [UInt8]) {
        for part in [Array(key), Array(value)] {
            let count = min(part.count, Int(UInt16.max))
            buffer.append(UInt8(count >> 8))
            buffer.append(UInt8(count & 0xff))
            buffer += part.prefix(count)
        }
    }

    /// The custom metadata of a ``customAttribute`` value.
    /// - Parameter bytes: The value.
    /// - Returns: The entries, or nil when the bytes do not parse.
    static func custom(from bytes: [UInt8]) -> [Entry]? {
        var out: [Entry] = []
        var i = 0
        func string() -> [UInt8]? {
            guard i + 2 <= bytes.count else { return nil }
            let count = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            guard i + 2 + count <= bytes.count else { return nil }
            defer { i += 2 + count }
            return Array(bytes[(i + 2)..<(i + 2 + count)])
        }
        while i < bytes.count {
            guard let key = string(), let value = string() else { return nil }
            out.append(Entry(key: key, value: value))
        }
        return out
    }

    /// The contents of a sidecar file holding these attributes.
    public var sidecar: [UInt8] {
        var out = Self.sidecarMagic
        for (name, value) in entries {
            let nameBytes = Array(name.utf8)
            out.append(UInt8(nameBytes.count >> 8))
            out.append(UInt8(nameBytes.count & 0xff))
            out += nameBytes
            let count = UInt32(value.count)
            out += [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            out += value
        }
        return out
    }

    /// The attributes a sidecar file holds.
    /// - Parameter bytes: The file's contents.
    /// - Returns: The attributes, or nil when the contents do not parse.
    public init?(sidecar bytes: [UInt8]) {
        guard bytes.starts(with: Self.sidecarMagic) else { return nil }
        self.init()
        var i = Self.sidecarMagic.count
        while i < bytes.count {
            guard i + 2 <= bytes.count else { return nil }
            let nameCount = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            i += 2
            guard i + nameCount + 4 <= bytes.count else { return nil }
            let name = String(decoding: bytes[i..<(i + nameCount)], as: UTF8.self)
            i += nameCount
            let count = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 4
            guard i + count <= bytes.count else { return nil }
            guard take(Array(bytes[i..<(i + count)]), of: name) else { return nil }
            i += count
        }
    }

    /// Reads the attributes of a stored object: its extended attributes, or its sidecar.
    /// - Parameters:
    ///   - path: The object's file.
    ///   - bucketFolder: The folder of the object's bucket (where sidecars are).
    /// - Returns: The attributes.
    /// - Throws: ``Errno`` when the file or its sidecar cannot be read, `EBADMSG` when one does not parse.
    package static func read(file path: String, bucketFolder: String) throws(Errno) -> StoreAttributes {
        if let sidecar = try ExtendedAttributes.get(sidecarAttribute, of: path) {
            let file = try FileDescriptor(opening: bucketFolder + "/" + String(decoding: sidecar, as: UTF8.self), flags: O_RDONLY)
            defer { file.close() }
            guard let attributes = StoreAttributes(sidecar: try file.readToEnd()) else { throw Errno(code: EBADMSG) }
            return attributes
        }
        var attributes = StoreAttributes()
        for name in try ExtendedAttributes.names(of: path) where attributeNames.contains(name) {
            guard let value = try ExtendedAttributes.get(name, of: path) else { continue }
            guard attributes.take(value, of: name) else { throw Errno(code: EBADMSG) }
        }
        return attributes
    }
}
