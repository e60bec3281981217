import CISAL
import Foundation
import ObjStreamChecksum
import ObjStreamTestSupport
import Testing

/// The checksums of STORE.md: published check values, the real tools, any chunking, reuse.
@Suite struct ChecksummerTests {
    /// A value of each type for the empty input and for `123456789` (the CRC catalogue's
    /// check input), as the reference tools print them.
    static let vectors: [(ChecksumType, empty: String, check: String)] = [
        (.xxhash, "ef46db3751d8e999", "8cb841db40e6ae83"),
        (.xxhash2, "ef46db3751d8e999", "8cb841db40e6ae83"),
        (.md5, "d41d8cd98f00b204e9800998ecf8427e", "25f9e794323b453885f5181f1b624d0b"),
        (.crc32c, "00000000", "e3069283"),
        (
            .sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
        ),
        (
            .sha512,
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274a"
                + "d27fcd5811b313d681f7e55ec02d73d499c95455b6b5bb503acf574fba8ffe85"
        ),
    ]

    /// The tool that prints each type's value and the Debian package that brings it
    /// (crc32c has none among the tools the build installs; see the ISA-L test below).
    static let tools: [ChecksumType: (tool: String, arguments: [String], package: String)] = [
        .xxhash: ("xxhsum", ["-H64"], "xxhash"),
        .xxhash2: ("xxhsum", ["-H64"], "xxhash"),
        .md5: ("md5sum", [], "coreutils"),
        .sha256: ("sha256sum", [], "coreutils"),
        .sha512: ("sha512sum", [], "coreutils"),
    ]

    static func pseudoRandom(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        for i in stride(from: 0, to: count, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                for j in 0..<min(8, count - i) { bytes[i + j] = word[j] }
            }
        }
        return bytes
    }

    static let mebibyte = pseudoRandom(1 << 20, seed: 0x0b1e_c75e)

    /// The value the tool prints for bytes on its standard input, or for a file.
    static func toolValue(_ type: ChecksumType, stdin: [UInt8]? = nil, file: String? = nil) throws -> String {
        let tool = try #require(tools[type])
        let path = try RequiredTool.path(tool.tool, package: tool.package)
        let outcome = try ChildProcess.run(path, tool.arguments + [file ?? "-"], stdin: stdin ?? [])
        #expect(outcome.status == 0, "\(tool.tool): \(outcome.stderr)")
        return String(outcome.stdout.split(separator: " ").first ?? "")
    }

    @Test(arguments: vectors)
    func emptyInputAnd123456789GiveThePublishedCheckValues(
        type: ChecksumType, empty: String, check: String
    ) {
        #expect(Checksummer.hex(type, of: UnsafeRawBufferPointer(start: nil, count: 0)) == empty)
        #expect(Array("123456789".utf8).withUnsafeBytes { Checksummer.hex(type, of: $0) } == check)
        #expect(check.utf8.count == type.hexDigits)
    }

    @Test(arguments: [ChecksumType.xxhash, .xxhash2, .md5, .sha256, .sha512])
    func aPseudoRandomMebibyteGivesWhatTheRealToolPrints(type: ChecksumType) throws {
        let ours = Self.mebibyte.withUnsafeBytes { Checksummer.hex(type, of: $0) }
        #expect(ours == (try Self.toolValue(type, stdin: Self.mebibyte)))
    }

    @Test func crc32cOfAPseudoRandomMebibyteAgreesWithISALsBaselineImplementation() {
        // No Debian tool prints CRC-32C; ISA-L's table-driven baseline is a second, independent
        // implementation (crc32_iscsi dispatches to the SSE4.2/PCLMUL one on this machine).
        var bytes = Self.mebibyte
        let baseline = bytes.withUnsafeMutableBufferPointer {
            crc32_iscsi_base($0.baseAddress, Int32($0.count), 0xFFFF_FFFF) ^ 0xFFFF_FFFF
        }
        let ours = Self.mebibyte.withUnsafeBytes { Checksummer.hex(.crc32c, of: $0) }
        #expect(ours == String(format: "%08x", baseline))
    }

    @Test func crc32cGivesTheIscsiTestVectorsOfRFC3720() {
        // RFC 3720 B.4 lists the CRC bytes as sent, least significant first: `aa 36 91 8a` is 8a9136aa.
        let cases: [([UInt8], String)] = [
            ([UInt8](repeating: 0, count: 32), "8a9136aa"),
            ([UInt8](repeating: 0xFF, count: 32), "62a8ab43"),
            ((0..<32).map { UInt8($0) }, "46dd794e"),
            ((0..<32).reversed().map { UInt8($0) }, "113fdb5c"),
        ]
        for (bytes, value) in cases {
            #expect(bytes.withUnsafeBytes { Checksummer.hex(.crc32c, of: $0) } == value)
        }
    }

    @Test(arguments: ChecksumType.all)
    func feedingTheBytesInRandomChunksGivesTheValueOfOneUpdate(type: ChecksumType) {
        let whole = Self.mebibyte.withUnsafeBytes { Checksummer.hex(type, of: $0) }
        var generator = SplitMix64(seed: 42)
        let checksummer = Checksummer(type)
        for round in 0..<4 {
            Self.mebibyte.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    // Empty chunks, odd sizes, and a few large ones.
                    let limit = round.isMultiple(of: 2) ? 97 : 200_000
                    let n = min(Int(generator.next() % UInt64(limit)), bytes.count - offset)
                    checksummer.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
                    offset += n
                }
            }
            #expect(checksummer.finalize() == whole, "round \(round)")
        }
    }

    @Test(arguments: ChecksumType.all)
    func aChecksummerReusedAfterFinalizeOrResetGivesTheSameValueAgain(type: ChecksumType) {
        let checksummer = Checksummer(type)
        let check = Array("123456789".utf8)
        let first = check.withUnsafeBytes { checksummer.update($0); return checksummer.finalize() }
        let second = check.withUnsafeBytes { checksummer.update($0); return checksummer.finalize() }
        #expect(first == second)
        Self.mebibyte.withUnsafeBytes { checksummer.update($0) }
        checksummer.reset()
        #expect(check.withUnsafeBytes { checksummer.update($0); return checksummer.finalize() } == first)
        let emptyAgain = checksummer.finalize()
        #expect(emptyAgain == Checksummer.hex(type, of: UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    @Test(arguments: [ChecksumType.xxhash, .md5, .sha256, .sha512])
    func aFileLargerThanTheReadBufferGivesWhatTheToolPrintsForIt(type: ChecksumType) throws {
        let folder = try TestPaths.temporaryDirectory("objstream-checksum")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("object").path
        // Two and a half buffers: full reads, then a short one.
        let bytes = Self.pseudoRandom(Checksummer.fileBufferSize * 5 / 2 + 3, seed: 7)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let ours = try Checksummer.hex(type, ofFile: path)
        #expect(ours == bytes.withUnsafeBytes { Checksummer.hex(type, of: $0) })
        #expect(ours == (try Self.toolValue(type, file: path)))
    }

    @Test func aMissingFileThrowsUnreadableNamingThePathAndErrno() throws {
        let path = "/nonexistent-objstream-\(UUID().uuidString)/object"
        let error = #expect(throws: ChecksumError.self) { try Checksummer.hex(.md5, ofFile: path) }
        #expect(error?.code == .unreadable)
        #expect(error?.path == path)
        #expect(error?.errorNumber == ENOENT)
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        #expect(error?.description.contains("errno \(ENOENT)") == true, "\(String(describing: error))")
    }

    @Test func aDirectoryThrowsUnreadableFromRead() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-checksum")
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: ChecksumError.self) { try Checksummer.hex(.crc32c, ofFile: folder.path) }
        #expect(error?.errorNumber == EISDIR)
        #expect(error?.message.hasPrefix("read \(folder.path)") == true, "\(String(describing: error))")
    }
}
