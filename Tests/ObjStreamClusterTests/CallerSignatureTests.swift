import Foundation
import ObjStreamCluster
import ObjStreamTestSupport
import Testing

/// The connection signature of WIRE.md section 7 interoperates: its bytes are the wire layout,
/// a fixed key signs them to the value another implementation computes, and a signature
/// another implementation makes verifies.
@Suite struct CallerSignatureTests {
    /// The seed 0x00 0x01 ... 0x1f.
    private let seed = (0..<32).map { UInt8($0) }

    private func fixedMessage() -> [UInt8] {
        CallerSignature.message(trname: "objstream-interop", senderID: "node-a", sessionID: 4242, mapVersion: 7, nonce: 1_000_001)
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func theSignedBytesAreTheDomainTheNamesAndThreeBigEndianIntegers() {
        #expect(
            hex(fixedMessage())
                == "6169732d7472616e73706f72742d763100" + "6f626a73747265616d2d696e7465726f7000" + "6e6f64652d6100"
                + "0000000000001092" + "0000000000000007" + "00000000000f4241")
    }

    /// The expected values were computed with OpenSSL 3.0, not libsodium: the key is the PKCS#8
    /// DER `302e020100300506032b657004220420` followed by the seed 00..1f (`openssl pkey -inform DER`),
    /// the message the bytes above (written with Python's `struct.pack(">qqQ", 4242, 7, 1000001)`),
    /// the signature `openssl pkeyutl -sign -rawin -inkey key.pem -in msg.bin`, the public key
    /// the last 32 bytes of `openssl pkey -pubout -outform DER`, both in base64 URL-safe without padding.
    @Test func aFixedKeyAndFixedInputsSignToTheValueOpenSSLComputed() throws {
        let key = try #require(NodeSigningKey(seed: seed))
        #expect(key.publicKey.base64URL == "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg")
        let signature = Base64URL.encode(key.sign(fixedMessage()))
        #expect(signature.count == 86)
        #expect(signature == "VViGdd33IRgAJl_paPS2yZhMHnK6SthbAstbgj5g5-sDcZIBkZGbzPxT715DXFJEul4nf5UwtJ0raFrtngG1DA")
        #expect(key.publicKey.verifies(try #require(CallerSignature.parse(signature)), of: fixedMessage()))
    }

    @Test func aSignatureThatOpenSSLMakesAtTestTimeVerifiesAndAnAlteredOneDoesNot() throws {
        let openssl = try RequiredTool.path("openssl", package: "openssl")
        let folder = try TestPaths.temporaryDirectory("objstream-openssl")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyPath = folder.appendingPathComponent("key.pem").path
        let messagePath = folder.appendingPathComponent("msg.bin").path
        let message = CallerSignature.message(
            trname: "bulk", senderID: "t-openssl", sessionID: -5, mapVersion: 12, nonce: UInt64.max - 3)
        try Data(message).write(to: URL(fileURLWithPath: messagePath))
        let made = try ChildProcess.run(openssl, ["genpkey", "-algorithm", "ed25519", "-out", keyPath])
        #expect(made.status == 0, "\(made.stderr)")
        let signed = try ChildProcess.run(
            "/bin/sh", ["-c", "'\(openssl)' pkeyutl -sign -rawin -inkey '\(keyPath)' -in '\(messagePath)' | base64 -w0"])
        let publicDER = try ChildProcess.run(
            "/bin/sh", ["-c", "'\(openssl)' pkey -in '\(keyPath)' -pubout -outform DER | base64 -w0"])
        #expect(signed.status == 0 && publicDER.status == 0, "\(signed.stderr) \(publicDER.stderr)")
        let signature = [UInt8](try #require(Data(base64Encoded: signed.stdout)))
        let publicBytes = [UInt8](try #require(Data(base64Encoded: publicDER.stdout)))
        let publicKey = try #require(NodePublicKey(bytes: Array(publicBytes.suffix(32))))
        #expect(signature.count == 64)
        #expect(publicKey.verifies(signature, of: message))
        var altered = message
        altered[altered.count - 1] ^= 1
        #expect(!publicKey.verifies(signature, of: altered))
        #expect(!publicKey.verifies(Array(signature.dropLast()), of: message))
    }

    @Test func aSignatureTextOtherThan86Base64URLCharactersDoesNotParse() {
        let good = String(repeating: "A", count: 85) + "A"
        #expect(CallerSignature.parse(good)?.count == 64)
        #expect(CallerSignature.parse(String(good.dropLast())) == nil)
        #expect(CallerSignature.parse(good + "A") == nil)
        #expect(CallerSignature.parse(String(good.dropLast()) + "+") == nil)
        #expect(CallerSignature.parse(String(good.dropLast(2)) + "==") == nil)
    }

    @Test func theKeyFileHoldsTheSeedAndReadsBackToTheSameKey() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-key")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try #require(NodeSigningKey(seed: seed))
        let path = folder.appendingPathComponent("node.key").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(key.fileText.utf8), attributes: [.posixPermissions: 0o600]))
        #expect(key.fileText == Base64URL.encode(seed) + "\n")
        #expect(try NodeSigningKey.load(contentsOf: path).publicKey == key.publicKey)
        let generated = NodeSigningKey.generate()
        #expect(generated.publicKey != key.publicKey)
        #expect(generated.publicKey.verifies(generated.sign([1, 2, 3]), of: [1, 2, 3]))
    }

    @Test func aKeyFileOthersMayReadOrThatHoldsNoSeedIsRefusedNamingTheFile() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-key")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try #require(NodeSigningKey(seed: seed))
        let open = folder.appendingPathComponent("open.key").path
        #expect(FileManager.default.createFile(atPath: open, contents: Data(key.fileText.utf8), attributes: [.posixPermissions: 0o644]))
        let bad = folder.appendingPathComponent("bad.key").path
        #expect(FileManager.default.createFile(atPath: bad, contents: Data("not a key\n".utf8), attributes: [.posixPermissions: 0o600]))
        let missing = folder.appendingPathComponent("missing.key").path
        for (path, code, words) in [
            (open, SigningKeyError.Code.exposed, "mode 644"), (bad, .malformed, "not a node key"), (missing, .unreadable, "No such file"),
        ] {
            #expect {
                _ = try NodeSigningKey.load(contentsOf: path)
            } throws: { error in
                let e = error as? SigningKeyError
                return e?.code == code && e?.message.hasPrefix(path) == true && e?.message.contains(words) == true
            }
        }
    }
}
