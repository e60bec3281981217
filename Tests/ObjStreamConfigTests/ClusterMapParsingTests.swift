import Foundation
import ObjStreamCluster
import ObjStreamConfig
import ObjStreamTestSupport
import Testing

/// The cluster map file: what it holds, and every problem named by node and field.
@Suite struct ClusterMapParsingTests {
    private let key = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"

    private func problems(_ json: String) -> [String] {
        do {
            _ = try ClusterMap.parse(Array(json.utf8))
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func theShippedExampleHoldsThreeNodesWithoutKeys() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("config/cluster.json").path
        let map = try ClusterMap.load(contentsOf: path)
        #expect(map.version == 1)
        #expect(map.nodes.map(\.id) == ["node-a", "node-b", "node-c"])
        #expect(map.nodes.allSatisfy { $0.publicKey == nil })
        #expect(map.peers(of: "node-b").map(\.id) == ["node-a", "node-c"])
        #expect(map.node("node-c")?.url == "http://127.0.0.1:9082")
        #expect(map.node("node-d") == nil)
    }

    @Test func aPublicKeyIsReadFromItsBase64URLForm() throws {
        let map = try ClusterMap.parse(Array(#"{"version": 7, "nodes": [{"id": "t1", "url": "http://[::1]:9080", "public_key": "\#(key)"}]}"#.utf8))
        #expect(map.version == 7)
        #expect(map.node("t1")?.publicKey?.base64URL == key)
        #expect(map.node("t1")?.publicKey?.bytes.count == 32)
    }

    @Test func everyProblemNamesTheNodeAndTheField() {
        let json = """
            {"version": -1, "colour": 1, "nodes": [
              {"id": "a", "url": "ftp://x"},
              {"id": "a", "url": "http://h:1", "public_key": "\(key)=", "port": 1},
              {"url": "http://h:2/v1/other"},
              {"id": "b c", "url": "http://h:1/"},
              {"id": "d", "url": "http://h:3", "public_key": "\(key.dropLast())"}
            ]}
            """
        #expect(problems(json) == [
            "colour: 1: unknown key (known: version, nodes)",
            "version: -1: must be an integer >= 0 (a newer map has a higher version)",
            #"nodes[0] (node "a").url: "ftp://x": invalid URL "ftp://x": only http:// and https:// are supported"#,
            "nodes[1].port: 1: unknown key (known: id, url, public_key)",
            #"nodes[1].id: "a": duplicates the id of nodes[0]; ids must be unique"#,
            #"nodes[1] (node "a").public_key: "\#(key)=": must be an Ed25519 public key: 32 bytes in base64 URL-safe without padding (43 characters, what objstream keygen writes to node.pub)"#,
            "nodes[2].id: null: is required: the node's id",
            #"nodes[2].url: "http://h:2/v1/other": must be the gateway's base URL without a path, like "http://10.0.0.2:9080""#,
            #"nodes[3].id: "b c": must not contain spaces or control characters: it goes into the Ais-Caller-Id header"#,
            #"nodes[3].url: "http://h:1/": is the gateway of nodes[1] too; each node has its own"#,
            #"nodes[4] (node "d").public_key: "\#(key.dropLast())": must be an Ed25519 public key: 32 bytes in base64 URL-safe without padding (43 characters, what objstream keygen writes to node.pub)"#,
        ])
    }

    @Test(arguments: [
        (#"{"nodes": [{"id": "a", "url": "http://h:1"}]}"#, "version: null: is required: the map's version, an integer >= 0"),
        (#"{"version": 1}"#, #"nodes: null: is required: an array of {"id", "url", "public_key"}"#),
        (#"{"version": 1, "nodes": []}"#, #"nodes: []: must be a non-empty array of {"id", "url", "public_key"}"#),
        (#"{"version": 1, "nodes": [{"id": "a"}]}"#, #"nodes[0] (node "a").url: null: is required: the node's gateway, like "http://10.0.0.2:9080""#),
    ])
    func aMissingFieldIsNamed(json: String, problem: String) {
        #expect(problems(json) == [problem])
    }

    @Test func base64URLRefusesPaddingStandardAlphabetAndNonCanonicalText() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("-_8=") == nil)
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("-_9") == nil)  // unused low bits set: not the canonical text of any bytes
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("") == [])
    }
}
