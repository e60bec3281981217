import ObjStreamChecksum

/// Where the file store puts an object, and the reversible names of its folders.
///
/// Layout: `<root>/<provider>/<namespace>/<bucket>/<object name>`.
///
/// **Folder names.** The provider, the bucket and the two parts of a namespace are written
/// with ``folderName(of:)``: percent-encoding (`%XX`, uppercase hex) of `%`, `/`, `#`, `@`,
/// every byte below `0x20`, `0x7F` and every byte at or above `0x80`, and of both dots of a
/// part that is `.` or `..` (one dot: `%2E`); every other byte is itself. The global
/// namespace is the folder ``globalNamespace`` (`@global`); any other namespace is
/// `@<uuid>#<name>`, both parts encoded and the `#` always there (uuid `u` alone is `@u#`,
/// name `n` alone is `@#n`). Since `%` itself is always encoded, ``part(ofFolderName:)``
/// gives the bytes back: no two buckets share a folder (uuid `global` is `@global#`, uuid
/// `a#b` is `@a%23b#`, uuid `a` name `b` is `@a#b`), and `objstream store ls` reads every
/// folder back to its bucket. Refused: an empty provider or bucket, and a folder name over
/// 255 bytes.
///
/// **Object names.** An object is stored at its own path below its bucket's folder when
/// ``fitsAsIs(_:under:)``: the name is valid UTF-8, no segment is over ``nameMax`` bytes,
/// the path (with room for a temporary name in its folder) is within ``pathMax``, no
/// segment starts with ``reservedPrefix`` (the store's temporary files) and the first one
/// does not look like a shortened name. Any other name, and one that clashes with what is
/// stored (`a` and `a/b` of one bucket: a file where a folder is needed, or the reverse), is
/// stored flat in the bucket's folder under ``shortenedName(of:)``, `.x` and the hex SHA-256
/// of the name's bytes (as AIStore does, STORE.md), with the name kept in the file's extended
/// attribute `user.objstream.name`. The same name always goes to the same place, so a retry
/// overwrites. Refused (``refusal(ofObjectName:)``): an empty name, a leading `/`, an empty,
/// `.` or `..` segment, and a NUL byte.
public enum StorePath {
    /// The folder of the global namespace.
    public static let globalNamespace = "@global"
    /// The longest file or folder name the store writes (`NAME_MAX`).
    public static let nameMax = 255
    /// The longest path the store passes to the system, its terminating NUL included (`PATH_MAX`).
    public static let pathMax = 4096
    /// The prefix of the store's own temporary files: an object name with a segment that starts
    /// with it is stored under its shortened name.
    public static let reservedPrefix = ".objstream-"
    /// The prefix of shortened names.
    public static let shortenedPrefix = ".x"
    /// The suffix of a sidecar file, after the shortened name of its object's name.
    public static let sidecarSuffix = ".attrs"
    /// The longest temporary name the store makes in a folder (``reservedPrefix``, pid, sequence, `.tmp`).
    static let temporaryNameLimit = 48

    /// Why an object is not stored.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// The reason, in words.
        public var reason: String
        public var description: String { reason }
    }

    // MARK: Folder names

    /// The folder name of a provider, a bucket or a namespace part (see the type's summary).
    /// - Parameter part: The part's bytes.
    /// - Returns: The encoded name: printable ASCII only.
    public static func folderName(of part: some Collection<UInt8>) -> String {
        let dots = part.elementsEqual([0x2e]) || part.elementsEqual([0x2e, 0x2e])
        var out = ""
        out.reserveCapacity(part.count)
        for byte in part {
            if dots || needsEscape(byte) {
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                out.unicodeScalars.append(hexDigits[Int(byte & 0xf)])
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// The bytes a folder name stands for: the inverse of ``folderName(of:)``.
    /// - Parameter folder: A folder name.
    /// - Returns: The part's bytes, or nil when a `%` is not followed by two hex digits.
    public static func part(ofFolderName folder: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(folder.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            guard utf8[i] == UInt8(ascii: "%") else {
                out.append(utf8[i])
                i += 1
                continue
            }
            guard i + 2 < utf8.count, let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2]) else { return nil }
            out.append(high << 4 | low)
            i += 3
        }
        return out
    }

    /// The folder name of a namespace: ``globalNamespace``, or `@<uuid>#<name>`.
    /// - Parameters:
    ///   - uuid: The namespace's UUID bytes.
    ///   - name: The namespace's name bytes.
    /// - Returns: The folder name.
    public static func namespaceFolderName(uuid: [UInt8], name: [UInt8]) -> String {
        if uuid.isEmpty && name.isEmpty { return globalNamespace }
        return "@" + folderName(of: uuid) + "#" + folderName(of: name)
    }

    /// The namespace a folder name stands for: the inverse of ``namespaceFolderName(uuid:name:)``.
    /// - Parameter folder: A folder name.
    /// - Returns: The UUID and name bytes (both empty for the global namespace), or nil for a
    ///   name the store does not write.
    public static func namespace(ofFolderName folder: some StringProtocol) -> (uuid: [UInt8], name: [UInt8])? {
        if folder == globalNamespace { return ([], []) }
        guard folder.hasPrefix("@"), let hash = folder.firstIndex(of: "#") else { return nil }
        guard let uuid = part(ofFolderName: folder[folder.index(after: folder.startIndex)..<hash]),
            let name = part(ofFolderName: folder[folder.index(after: hash)...]), !(uuid.isEmpty && name.isEmpty)
        else { return nil }
        return (uuid, name)
    }

    /// The three folders of a bucket below the store's root: provider, namespace, bucket.
    /// - Parameter bucket: The bucket.
    /// - Returns: The folder names, or why the bucket cannot be stored.
    public static func folders(of bucket: StoredBucket) -> Result<[String], Refusal> {
        if bucket.provider.isEmpty { return .failure(Refusal(reason: "provider is empty")) }
        if bucket.name.isEmpty { return .failure(Refusal(reason: "bucket is empty")) }
        let folders = [
            folderName(of: bucket.provider), namespaceFolderName(uuid: bucket.namespaceUUID, name: bucket.namespaceName),
            folderName(of: bucket.name),
        ]
        for (what, folder) in zip(["provider", "namespace", "bucket"], folders) where folder.utf8.count > nameMax {
            return .failure(Refusal(reason: "\(what) folder name is \(folder.utf8.count) bytes, over \(nameMax)"))
        }
        return .success(folders)
    }

    // MARK: Object names

    /// Why an object name cannot be stored at all, or nil when it can (as is or shortened).
    /// - Parameter name: The name's bytes.
    /// - Returns: The refusal: an empty name, a leading `/`, an empty, `.` or `..` segment, a NUL byte.
    public static func refusal(ofObjectName name: [UInt8]) -> Refusal? {
        if name.isEmpty { return Refusal(reason: "object name is empty") }
        if name.first == UInt8(ascii: "/") { return Refusal(reason: "object name has a leading '/'") }
        if name.contains(0) { return Refusal(reason: "object name holds a NUL byte") }
        for segment in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.isEmpty { return Refusal(reason: "object name segment is empty") }
            if segment.elementsEqual([0x2e]) { return Refusal(reason: "object name segment is '.'") }
            if segment.elementsEqual([0x2e, 0x2e]) { return Refusal(reason: "object name segment is '..'") }
        }
        return nil
    }

    /// Whether a name that ``refusal(ofObjectName:)`` accepts is stored at its own path (else
    /// under ``shortenedName(of:)``), when nothing stored clashes with it.
    /// - Parameters:
    ///   - name: The name's bytes.
    ///   - folderLength: The length in bytes of the bucket folder's path, as the store passes it
    ///     to the system (the root's path included).
    /// - Returns: Whether every segment is within ``nameMax``, the path with room for a temporary
    ///   name within ``pathMax``, the name valid UTF-8 and none of its segments reserved.
    public static func fitsAsIs(_ name: [UInt8], under folderLength: Int) -> Bool {
        let segments = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard let last = segments.last, let first = segments.first else { return false }
        for segment in segments {
            if segment.count > nameMax || segment.starts(with: reservedPrefix.utf8) { return false }
        }
        if isShortened(first) { return false }
        // The file's folder, then the longer of the file's own name and a temporary name.
        let folder = folderLength + 1 + (name.count - last.count)
        guard folder + max(last.count, temporaryNameLimit) < pathMax else { return false }
        return String(validating: name, as: UTF8.self) != nil
    }

    /// The shortened name of an object name: `.x` and the 64 lowercase hex digits of its SHA-256.
    /// - Parameter name: The name's bytes.
    /// - Returns: The file name, 66 bytes.
    public static func shortenedName(of name: [UInt8]) -> String {
        shortenedPrefix + name.withUnsafeBytes { Checksummer.hex(.sha256, of: $0) }
    }

    /// Whether a file name starts like a shortened name: `.x` and 64 lowercase hex digits.
    /// - Parameter name: A file name's bytes.
    /// - Returns: Whether it does (a shortened name, its sidecar, or an object name segment that
    ///   could be mistaken for one).
    public static func isShortened(_ name: some Collection<UInt8>) -> Bool {
        guard name.count >= 66, name.starts(with: shortenedPrefix.utf8) else { return false }
        return name.dropFirst(2).prefix(64).allSatisfy { hexValue($0) != nil && !(0x41...0x46).contains($0) }
    }

    // MARK: Helpers

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789ABCDEF".unicodeScalars)

    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<0x20, 0x7f...: true
        case UInt8(ascii: "%"), UInt8(ascii: "/"), UInt8(ascii: "#"), UInt8(ascii: "@"): true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
