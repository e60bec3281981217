import ObjStreamTestSupport
import Testing

/// The tests' one process helper reads both pipes at once.
@Suite struct ChildProcessTests {
    @Test func aChildThatFillsStandardErrorBeforeWritingStandardOutputCompletes() throws {
        // 1 MiB is many pipe buffers: a reader that drained stdout before stderr would deadlock.
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo done"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "done\n")
        #expect(outcome.stderr.utf8.count == 1 << 20)
    }

    @Test func standardInputIsDeliveredAndClosed() throws {
        let outcome = try ChildProcess.run("/bin/cat", [], stdin: Array("one\ntwo".utf8))
        #expect(outcome.status == 0 && outcome.stdout == "one\ntwo" && outcome.stderr.isEmpty)
    }

    @Test func aMissingToolIsAFailureNamingItsPackage() {
        let error = #expect(throws: RequiredTool.Missing.self) {
            try RequiredTool.path("objstream-no-such-tool", package: "no-such-package")
        }
        #expect(error?.description.contains("Debian package 'no-such-package'") == true, "\(String(describing: error))")
    }
}
