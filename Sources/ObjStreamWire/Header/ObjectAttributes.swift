/// The attributes of an object that travel with it: size, access time, checksum,
/// version and custom metadata.
public struct ObjectAttributes: Hashable, Sendable, CustomStringConvertible {
    /// The object's size in bytes, or ``WireLimits/unknownSize`` (-1); 0 is header-only.
    public var size: Int64
    /// Access time in Unix nanoseconds.
    public var atime: Int64
    /// The checksum type, `""` when there is none.
    public var checksumType: String
    /// The checksum value.
    public var checksumValue: String
    /// The object's version.
    public var version: String
    /// Custom metadata, in the order it is written on the wire.
    @EmptyAsNil public var customMetadata: [MetadataEntry]

    /// Creates object attributes.
    public init(
        size: Int64 = 0,
        atime: Int64 = 0,
        checksumType: String = "",
        checksumValue: String = "",
        version: String = "",
        customMetadata: [MetadataEntry] = []
    ) {
        self.size = size
        self.atime = atime
        self.checksumType = checksumType
        self.checksumValue = checksumValue
        self.version = version
        self.customMetadata = customMetadata
    }

    /// Whether the size is unknown (the data follows as PDUs).
    public var isSizeUnknown: Bool { size == WireLimits.unknownSize }

    /// `231B, v"1", xxhash2[h1], map[k:v]`, metadata keys sorted.
    public var description: String {
        let checksum = checksumType.isEmpty ? "<nil>" : "\(checksumType)[\(checksumValue)]"
        let pairs = customMetadata.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
        return "\(size)B, v\(GoQuote.quote(version)), \(checksum), map[\(pairs.joined(separator: " "))]"
    }
}

/// Go's `%q` for the strings of printed attributes.
enum GoQuote {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
