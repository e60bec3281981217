import ObjStreamMetrics
import ObjStreamTestSupport
import Testing

/// One version, from `BuildInfo.version`: what `objstream --version` prints and what
/// `objstream_build_info` exposes.
@Suite struct VersionTests {
    @Test(arguments: [["--version"], ["version"]])
    func versionCommandPrintsTheBuildInfoVersion(arguments: [String]) throws {
        let result = try ChildProcess.run(TestPaths.objstreamBinary.path, arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "objstream \(BuildInfo.version)\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func gatewayAndSenderExposeTheSameVersionInBuildInfo() throws {
        let scrapes = try MetricCatalog.scrapes()
        let series = #"objstream_build_info{version="\#(BuildInfo.version)"} 1"#
        #expect(scrapes.gateway.split(separator: "\n").contains { $0 == series }, "\(scrapes.gateway)")
        #expect(scrapes.sender.split(separator: "\n").contains { $0 == series }, "\(scrapes.sender)")
    }
}
