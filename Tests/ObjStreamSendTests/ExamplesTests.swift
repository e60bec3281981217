import Foundation
import ObjStreamTestSupport
import Testing

/// The seed's examples, ported to `objstream-examples`, print exactly the seed's Output.
@Suite struct ExamplesTests {
    private var binary: String {
        TestPaths.objstreamBinary.deletingLastPathComponent().appendingPathComponent("objstream-examples").path
    }

    @Test func exampleHeadersPrintsTheSeedOutput() throws {
        let result = try ChildProcess.run(binary, ["headers"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            #"Bck:s3://@uuid#namespace/abc ObjName:X SID: Opaque:[] ObjAttrs:{231B, v"1", xxhash2[h1], map[]} (72)"#,
            #"Bck:ais://abracadabra ObjName:p/q/s SID: Opaque:[49 50 51] ObjAttrs:{213B, v"222222222222222222222222", xxhash2[h2], map[xx:11 yy:22]} (113)"#,
        ])
    }

    @Test func exampleObjPrintsTheSeedOutput() throws {
        let result = try ChildProcess.run(binary, ["obj"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "Lorem ipsum dolo...", "Duis aute irure ...", "Et harum quidem ...", "Temporibus autem...",
        ])
    }
}
