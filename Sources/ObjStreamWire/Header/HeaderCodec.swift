#if canImport(Glibc)
import Glibc
#endif

/// Encodes and decodes object headers (WIRE.md 2.2): strings as `u16` length and
/// bytes, integers big-endian, custom metadata closed by an empty key.
public enum HeaderCodec {
    /// The number of bytes ``encode(_:into:)`` writes for a header.
    /// - Parameter header: The header to measure.
    /// - Returns: The encoded length (`hlen`).
    public static func encodedLength(of header: ObjectHeader) -> Int {
        var n = 2 + 8 + 8  // opcode, size, atime
        n += 2 + header.senderID.utf8.count
        n += 2 + header.bucket.name.utf8.count
        n += 2 + header.bucket.provider.utf8.count
        n += 2 + header.bucket.namespace.name.utf8.count
        n += 2 + header.bucket.namespace.uuid.utf8.count
        n += 2 + header.objectName.utf8.count
        n += 2 + header.opaque.count
        n += 2 + header.demux.utf8.count
        let attrs = header.attributes
        n += 2 + attrs.checksumType.utf8.count
        n += 2 + attrs.checksumValue.utf8.count
        n += 2 + attrs.version.utf8.count
        for entry in attrs.customMetadata {
            n += 4 + entry.key.utf8.count + entry.value.utf8.count
        }
        return n + 2  // terminator
    }

    /// Checks that a header can be encoded: string lengths, metadata keys, size.
    /// - Parameter header: The header to check.
    /// - Throws: ``WireError`` naming the first field that cannot be encoded.
    public static func validate(_ header: ObjectHeader) throws(WireError) {
        func check(_ field: String, _ count: Int) throws(WireError) {
            if count > WireLimits.maxStringLength {
                throw WireError(
                    code: .stringTooLong, field: field, offset: 0,
                    message: "\(count) bytes, at most \(WireLimits.maxStringLength) fit a string field")
            }
        }
        try check("SID", header.senderID.utf8.count)
        try check("Bck.Name", header.bucket.name.utf8.count)
        try check("Bck.Provider", header.bucket.provider.utf8.count)
        try check("Bck.Ns.Name", header.bucket.namespace.name.utf8.count)
        try check("Bck.Ns.UUID", header.bucket.namespace.uuid.utf8.count)
        try check("ObjName", header.objectName.utf8.count)
        try check("Opaque", header.opaque.count)
        try check("Demux", header.demux.utf8.count)
        let attrs = header.attributes
        if attrs.size < WireLimits.unknownSize {
            throw WireError(code: .invalidSize, field: "ObjAttrs.Size", offset: 0, message: "size \(attrs.size) is below -1")
        }
        try check("Cksum.Type", attrs.checksumType.utf8.count)
        try check("Cksum.Value", attrs.checksumValue.utf8.count)
        try check("Version", attrs.version.utf8.count)
        for (i, entry) in attrs.customMetadata.enumerated() {
            if entry.key.isEmpty {
                throw WireError(
                    code: .emptyMetadataKey, field: "CustomMD[\(i)].key", offset: 0,
                    message: "an empty key would read as the end of the metadata")
            }
            try check("CustomMD[\(i)].key", entry.key.utf8.count)
            try check("CustomMD[\(i)].value", entry.value.utf8.count)
        }
    }

    /// Encodes a header into `destination`, which must hold ``encodedLength(of:)`` bytes.
    ///
    /// Call ``validate(_:)`` first: this function assumes every string fits.
    /// - Parameters:
    ///   - header: The header to encode.
    ///   - destination: Writable memory of at least the encoded length.
    /// - Returns: The number of bytes written.
    @discardableResult
    public static func encode(_ header: ObjectHeader, into destination: UnsafeMutableRawPointer) -> Int {
        var w = Writer(base: destination)
        w.string(header.senderID)
        w.u16(header.opcode.rawValue)
        w.string(header.bucket.name)
        w.string(header.bucket.provider)
        w.string(header.bucket.namespace.name)
        w.string(header.bucket.namespace.uuid)
        w.string(header.objectName)
        header.opaque.withUnsafeBytes { w.bytes($0) }
        w.string(header.demux)
        let attrs = header.attributes
        w.u64(UInt64(bitPattern: attrs.size))
        w.u64(UInt64(bitPattern: attrs.atime))
        w.string(attrs.checksumType)
        w.string(attrs.checksumValue)
        w.string(attrs.version)
        for entry in attrs.customMetadata {
            w.string(entry.key)
            w.string(entry.value)
        }
        w.u16(0)
        return w.offset
    }

    /// Encodes a header into a new array (tests and tools; hot paths use ``encode(_:into:)``).
    /// - Parameter header: The header to encode.
    /// - Returns: The `hlen` bytes of the header.
    public static func encode(_ header: ObjectHeader) throws(WireError) -> [UInt8] {
        try validate(header)
        let n = encodedLength(of: header)
        return [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
            count = encode(header, into: UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    /// Decodes exactly `bytes.count` bytes as one header.
    /// - Parameter bytes: The `hlen` bytes that follow an object's proto header.
    /// - Returns: The decoded header.
    /// - Throws: ``WireError`` with code ``WireError/Code/malformed`` when a field runs
    ///   past the end, ``WireError/Code/lengthMismatch`` when decoding stops short of it.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ObjectHeader {
        var r = Reader(bytes: bytes)
        let sid = try r.string("SID")
        let opcode = try r.u16("Opcode")
        let bucketName = try r.string("Bck.Name")
        let provider = try r.string("Bck.Provider")
        let nsName = try r.string("Bck.Ns.Name")
        let nsUUID = try r.string("Bck.Ns.UUID")
        let objName = try r.string("ObjName")
        let opaque = try r.bytes("Opaque")
        let demux = try r.string("Demux")
        let size = Int64(bitPattern: try r.u64("ObjAttrs.Size"))
        if size < WireLimits.unknownSize {
            throw WireError(
                code: .invalidSize, field: "ObjAttrs.Size", offset: r.offset - 8, message: "size \(size) is below -1")
        }
        let atime = Int64(bitPattern: try r.u64("ObjAttrs.Atime"))
        let cksumType = try r.string("Cksum.Type")
        let cksumValue = try r.string("Cksum.Value")
        let version = try r.string("Version")
        var custom: [MetadataEntry] = []
        while true {
            let key = try r.string("CustomMD.key")
            if key.isEmpty { break }
            let value = try r.string("CustomMD[\(key)]")
            custom.append(MetadataEntry(key, value))
        }
        if r.offset != bytes.count {
            throw WireError(
                code: .lengthMismatch, field: "terminator", offset: r.offset,
                message: "header ends at \(r.offset) of hlen \(bytes.count)")
        }
        return ObjectHeader(
            senderID: sid,
            opcode: Opcode(rawValue: opcode),
            bucket: Bucket(name: bucketName, provider: provider, namespace: Namespace(uuid: nsUUID, name: nsName)),
            objectName: objName,
            opaque: opaque,
            demux: demux,
            attributes: ObjectAttributes(
                size: size, atime: atime, checksumType: cksumType, checksumValue: cksumValue,
                version: version, customMetadata: custom))
    }

    /// Decodes a header from an array (tests and tools).
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> ObjectHeader {
        let result: Result<ObjectHeader, WireError> = bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) -> ObjectHeader in try decode(raw) }
        }
        return try result.get()
    }

    private struct Writer {
        let base: UnsafeMutableRawPointer
        var offset = 0

        mutating func u16(_ v: UInt16) {
            base.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt16.self)
            offset += 2
        }

        mutating func u64(_ v: UInt64) {
            base.storeBytes(of: v.bigEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }

        mutating func bytes(_ b: UnsafeRawBufferPointer) {
            u16(UInt16(b.count))
            if let src = b.baseAddress, b.count > 0 {
                (base + offset).copyMemory(from: src, byteCount: b.count)
                offset += b.count
            }
        }

        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        private func need(_ n: Int, _ field: String) throws(WireError) {
            if bytes.count - offset < n {
                throw WireError(
                    code: .malformed, field: field, offset: offset,
                    message: "needs \(n) bytes, \(bytes.count - offset) left of hlen \(bytes.count)")
            }
        }

        mutating func u16(_ field: String) throws(WireError) -> UInt16 {
            try need(2, field)
            defer { offset += 2 }
            return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }

        mutating func u64(_ field: String) throws(WireError) -> UInt64 {
            try need(8, field)
            defer { offset += 8 }
            return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        mutating func slice(_ field: String) throws(WireError) -> UnsafeRawBufferPointer {
            let start = offset
            let n = Int(try u16(field))
            if bytes.count - offset < n {
                throw WireError(
                    code: .malformed, field: field, offset: start,
                    message: "\(n)-byte string runs past hlen \(bytes.count) (\(bytes.count - offset) bytes left)")
            }
            defer { offset += n }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        }

        mutating func string(_ field: String) throws(WireError) -> String {
            let start = offset
            let raw = try slice(field)
            if raw.isEmpty { return "" }
            // `String(decoding:)` is specialized and fast but repairs invalid bytes; a
            // repaired string differs from its source, which one memcmp tells.
            var s = String(decoding: raw, as: UTF8.self)
            let intact = s.withUTF8 { $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
            guard intact else {
                throw WireError(code: .invalidUTF8, field: field, offset: start, message: "string is not valid UTF-8")
            }
            return s
        }

        mutating func bytes(_ field: String) throws(WireError) -> [UInt8] {
            [UInt8](try slice(field))
        }
    }
}
