#if canImport(Glibc)
import Glibc
#endif

/// Encodes and decodes object headers (WIRE.md 2.2): strings as `u16` length and
/// bytes, integers big-endian, custom metadata closed by an empty key.
public enum HeaderCodec {
    /// The number of bytes ``encode(_:into:)`` writes for a header.
    /// - Parameter header: The header to measure.
    /// - Returns: The encoded length (`hlen`), counting the ``ObjectHeader/undecodedStrings`` that are written.
    public static func encodedLength(of header: ObjectHeader) -> Int {
        if header.undecodedStrings.isEmpty {
            return encodedLength(of: header) { _, string in string.utf8.count }
        }
        return encodedLength(of: header) { field, string in
            header.undecodedBytes(of: field, matching: string)?.count ?? string.utf8.count
        }
    }

    /// The encoded length, with each string's byte count from `count`.
    /// - Parameters:
    ///   - header: The header to measure.
    ///   - count: The bytes a string field is written with.
    /// - Returns: The encoded length.
    @inline(__always)
    private static func encodedLength(
        of header: ObjectHeader, _ count: (HeaderStringField, String) -> Int
    ) -> Int {
        var n = 2 + 8 + 8  // opcode, size, atime
        n += 2 + count(.senderID, header.senderID)
        n += 2 + count(.bucketName, header.bucket.name)
        n += 2 + count(.provider, header.bucket.provider)
        n += 2 + count(.namespaceName, header.bucket.namespace.name)
        n += 2 + count(.namespaceUUID, header.bucket.namespace.uuid)
        n += 2 + count(.objectName, header.objectName)
        n += 2 + header.opaque.count
        n += 2 + count(.demux, header.demux)
        let attrs = header.attributes
        n += 2 + count(.checksumType, attrs.checksumType)
        n += 2 + count(.checksumValue, attrs.checksumValue)
        n += 2 + count(.version, attrs.version)
        for (i, entry) in attrs.customMetadata.enumerated() {
            n += 4 + count(.metadataKey(i), entry.key) + count(.metadataValue(i), entry.value)
        }
        return n + 2  // terminator
    }

    /// Checks that a header can be encoded (string lengths, metadata keys, size) and measures it.
    /// - Parameter header: The header to check.
    /// - Returns: The encoded length, ``encodedLength(of:)``, found on the way.
    /// - Throws: ``WireError`` naming the first field that cannot be encoded.
    @discardableResult
    public static func validate(_ header: ObjectHeader) throws(WireError) -> Int {
        if header.undecodedStrings.isEmpty {
            return try validate(header) { _, string in string.utf8.count }
        } else {
            return try validate(header) { field, string in
                header.undecodedBytes(of: field, matching: string)?.count ?? string.utf8.count
            }
        }
    }

    /// Checks and measures a header, with each string's byte count from `count`.
    /// - Parameters:
    ///   - header: The header to check.
    ///   - count: The bytes a string field is written with.
    /// - Returns: The encoded length.
    /// - Throws: ``WireError`` naming the first field that cannot be encoded.
    @inline(__always)
    private static func validate(
        _ header: ObjectHeader, _ count: (HeaderStringField, String) -> Int
    ) throws(WireError) -> Int {
        var length = 2 + 8 + 8 + 2  // opcode, size, atime, terminator
        func check(_ field: @autoclosure () -> String, _ n: Int) throws(WireError) {
            if n > WireLimits.maxStringLength {
                throw WireError(
                    code: .stringTooLong, field: field(), offset: 0,
                    message: "\(n) bytes, at most \(WireLimits.maxStringLength) fit a string field")
            }
            length += 2 + n
        }
        func check(_ field: HeaderStringField, _ string: String) throws(WireError) {
            try check(field.description, count(field, string))
        }
        try check(.senderID, header.senderID)
        try check(.bucketName, header.bucket.name)
        try check(.provider, header.bucket.provider)
        try check(.namespaceName, header.bucket.namespace.name)
        try check(.namespaceUUID, header.bucket.namespace.uuid)
        try check(.objectName, header.objectName)
        try check("Opaque", header.opaque.count)
        try check(.demux, header.demux)
        let attrs = header.attributes
        if attrs.size < WireLimits.unknownSize {
            throw WireError(code: .invalidSize, field: "ObjAttrs.Size", offset: 0, message: "size \(attrs.size) is below -1")
        }
        try check(.checksumType, attrs.checksumType)
        try check(.checksumValue, attrs.checksumValue)
        try check(.version, attrs.version)
        for (i, entry) in attrs.customMetadata.enumerated() {
            if entry.key.isEmpty {
                throw WireError(
                    code: .emptyMetadataKey, field: HeaderStringField.metadataKey(i).description, offset: 0,
                    message: "an empty key would read as the end of the metadata")
            }
            try check(.metadataKey(i), entry.key)
            try check(.metadataValue(i), entry.value)
        }
        return length
    }

    /// Encodes a header into `destination`, which must hold ``encodedLength(of:)`` bytes.
    ///
    /// Call ``validate(_:)`` first: this function assumes every string fits. String fields are
    /// written as their ``ObjectHeader/bytes(of:)``: their undecoded bytes while those still match.
    /// - Parameters:
    ///   - header: The header to encode.
    ///   - destination: Writable memory of at least the encoded length.
    /// - Returns: The number of bytes written.
    @discardableResult
    public static func encode(_ header: ObjectHeader, into destination: UnsafeMutableRawPointer) -> Int {
        if header.undecodedStrings.isEmpty {
            return encode(header, into: destination) { w, _, string in w.string(string) }
        }
        return encode(header, into: destination) { w, field, string in
            if let raw = header.undecodedBytes(of: field, matching: string) {
                raw.withUnsafeBytes { w.bytes($0) }
            } else {
                w.string(string)
            }
        }
    }

    /// Encodes a header, each string field written by `write`.
    /// - Parameters:
    ///   - header: The header to encode.
    ///   - destination: Writable memory of at least the encoded length.
    ///   - write: Writes a string field.
    /// - Returns: The number of bytes written.
    @inline(__always)
    private static func encode(
        _ header: ObjectHeader, into destination: UnsafeMutableRawPointer,
        _ write: (inout Writer, HeaderStringField, String) -> Void
    ) -> Int {
        var w = Writer(base: destination)
        write(&w, .senderID, header.senderID)
        w.u16(header.opcode.rawValue)
        write(&w, .bucketName, header.bucket.name)
        write(&w, .provider, header.bucket.provider)
        write(&w, .namespaceName, header.bucket.namespace.name)
        write(&w, .namespaceUUID, header.bucket.namespace.uuid)
        write(&w, .objectName, header.objectName)
        header.opaque.withUnsafeBytes { w.bytes($0) }
        write(&w, .demux, header.demux)
        let attrs = header.attributes
        w.u64(UInt64(bitPattern: attrs.size))
        w.u64(UInt64(bitPattern: attrs.atime))
        write(&w, .checksumType, attrs.checksumType)
        write(&w, .checksumValue, attrs.checksumValue)
        write(&w, .version, attrs.version)
        for (i, entry) in attrs.customMetadata.enumerated() {
            write(&w, .metadataKey(i), entry.key)
            write(&w, .metadataValue(i), entry.value)
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
    ///
    /// A string field whose bytes are not valid UTF-8 is not an error: its property gets the
    /// repaired decoding and ``ObjectHeader/undecodedStrings`` its bytes, so that encoding the
    /// header again gives the same bytes.
    /// - Parameter bytes: The `hlen` bytes that follow an object's proto header.
    /// - Returns: The decoded header.
    /// - Throws: ``WireError`` with code ``WireError/Code/malformed`` when a field runs
    ///   past the end, ``WireError/Code/lengthMismatch`` when decoding stops short of it,
    ///   ``WireError/Code/invalidSize`` for a size below -1.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ObjectHeader {
        var r = Reader(bytes: bytes)
        let sid = try r.string(.senderID)
        let opcode = try r.u16("Opcode")
        let bucketName = try r.string(.bucketName)
        let provider = try r.string(.provider)
        let nsName = try r.string(.namespaceName)
        let nsUUID = try r.string(.namespaceUUID)
        let objName = try r.string(.objectName)
        let opaque = try r.bytes("Opaque")
        let demux = try r.string(.demux)
        let size = Int64(bitPattern: try r.u64("ObjAttrs.Size"))
        if size < WireLimits.unknownSize {
            throw WireError(
                code: .invalidSize, field: "ObjAttrs.Size", offset: r.offset - 8, message: "size \(size) is below -1")
        }
        let atime = Int64(bitPattern: try r.u64("ObjAttrs.Atime"))
        let cksumType = try r.string(.checksumType)
        let cksumValue = try r.string(.checksumValue)
        let version = try r.string(.version)
        var custom: [MetadataEntry] = []
        while true {
            let key = try r.string(.metadataKey(custom.count))
            if key.isEmpty { break }
            let value = try r.string(.metadataValue(custom.count))
            custom.append(MetadataEntry(key, value))
        }
        if r.offset != bytes.count {
            throw WireError(
                code: .lengthMismatch, field: "terminator", offset: r.offset,
                message: "header ends at \(r.offset) of hlen \(bytes.count)")
        }
        let header = ObjectHeader(
            senderID: sid,
            opcode: Opcode(rawValue: opcode),
            bucket: Bucket(name: bucketName, provider: provider, namespace: Namespace(uuid: nsUUID, name: nsName)),
            objectName: objName,
            opaque: opaque,
            demux: demux,
            attributes: ObjectAttributes(
                size: size, atime: atime, checksumType: cksumType, checksumValue: cksumValue,
                version: version, customMetadata: custom))
        // The bytes of repaired strings are collected apart, so that the usual header is built
        // without a dictionary in sight (passing one in costs a copy of the whole header).
        guard !r.repaired else { return keepingUndecodedStrings(header, from: bytes) }
        return header
    }

    /// Adds the bytes of the strings that are not valid UTF-8 to a decoded header: the decoder's slow path.
    /// - Parameters:
    ///   - header: The header decoded from `bytes`.
    ///   - bytes: The header's `hlen` bytes, known to decode.
    /// - Returns: The header with its ``ObjectHeader/undecodedStrings``.
    @inline(never)
    private static func keepingUndecodedStrings(_ header: ObjectHeader, from bytes: UnsafeRawBufferPointer) -> ObjectHeader {
        var r = Reader(bytes: bytes)
        var undecoded: [HeaderStringField: [UInt8]] = [:]
        // The fields in decode(_:)'s order; `bytes` decoded, so no read fails.
        func string(_ field: HeaderStringField) -> Bool {
            let raw = (try? r.slice(field.description)) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if !String(decoding: raw, as: UTF8.self).utf8.elementsEqual(raw) { undecoded[field] = [UInt8](raw) }
            return !raw.isEmpty
        }
        _ = string(.senderID)
        r.offset += 2  // opcode
        for field in [HeaderStringField.bucketName, .provider, .namespaceName, .namespaceUUID, .objectName] {
            _ = string(field)
        }
        _ = try? r.slice("Opaque")
        _ = string(.demux)
        r.offset += 16  // size, atime
        for field in [HeaderStringField.checksumType, .checksumValue, .version] { _ = string(field) }
        var i = 0
        while string(.metadataKey(i)) {
            _ = string(.metadataValue(i))
            i += 1
        }
        var kept = header
        kept.undecodedStrings = undecoded
        return kept
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
        /// Whether a string read so far is not valid UTF-8 (and was repaired).
        var repaired = false

        @inline(__always)
        private func need(_ n: Int, _ field: @autoclosure () -> String) throws(WireError) {
            if bytes.count - offset < n {
                throw WireError(
                    code: .malformed, field: field(), offset: offset,
                    message: "needs \(n) bytes, \(bytes.count - offset) left of hlen \(bytes.count)")
            }
        }

        @inline(__always)
        mutating func u16(_ field: @autoclosure () -> String) throws(WireError) -> UInt16 {
            try need(2, field())
            defer { offset += 2 }
            return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }

        @inline(__always)
        mutating func u64(_ field: @autoclosure () -> String) throws(WireError) -> UInt64 {
            try need(8, field())
            defer { offset += 8 }
            return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        @inline(__always)
        mutating func slice(_ field: @autoclosure () -> String) throws(WireError) -> UnsafeRawBufferPointer {
            let start = offset
            let n = Int(try u16(field()))
            if bytes.count - offset < n {
                throw WireError(
                    code: .malformed, field: field(), offset: start,
                    message: "\(n)-byte string runs past hlen \(bytes.count) (\(bytes.count - offset) bytes left)")
            }
            defer { offset += n }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        }

        @inline(__always)
        mutating func string(_ field: HeaderStringField) throws(WireError) -> String {
            let raw = try slice(field.description)
            if raw.isEmpty { return "" }
            // `String(decoding:)` is specialized and fast but repairs invalid bytes. ASCII
            // (names, ids, checksums: nearly every field) cannot need repair; otherwise a
            // repaired string differs from its source, which one memcmp tells.
            var s = String(decoding: raw, as: UTF8.self)
            if Self.isASCII(raw) { return s }
            let intact = s.withUTF8 { $0.count == raw.count && memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
            if !intact { repaired = true }
            return s
        }

        /// Whether all bytes are below 0x80, tested a word at a time.
        @inline(__always)
        private static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
            var bits: UInt64 = 0
            var i = 0
            while i + 8 <= raw.count {
                bits |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < raw.count {
                bits |= UInt64(raw[i])
                i += 1
            }
            return bits & 0x8080_8080_8080_8080 == 0
        }

        mutating func bytes(_ field: @autoclosure () -> String) throws(WireError) -> [UInt8] {
            [UInt8](try slice(field()))
        }
    }
}
