// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "objstream",
    products: [
        .library(name: "ObjStreamWire", targets: ["ObjStreamWire"]),
        .library(name: "ObjStreamMetrics", targets: ["ObjStreamMetrics"]),
        .library(name: "ObjStreamConfig", targets: ["ObjStreamConfig"]),
        .library(name: "ObjStreamReceive", targets: ["ObjStreamReceive"]),
        .library(name: "ObjStreamGateway", targets: ["ObjStreamGateway"]),
        .library(name: "ObjStreamSend", targets: ["ObjStreamSend"]),
        .library(name: "ObjStreamChecksum", targets: ["ObjStreamChecksum"]),
        .library(name: "ObjStreamCluster", targets: ["ObjStreamCluster"]),
        .executable(name: "objstream", targets: ["objstream"]),
    ],
    targets: [
        // C libraries from Debian packages, one thin module each.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Parts of glibc that Swift's Glibc module leaves out: extended attributes, syncfs.
        .systemLibrary(name: "CFileSystem"),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        .systemLibrary(
            name: "CNettle",
            pkgConfig: "nettle",
            providers: [.apt(["nettle-dev"])]
        ),
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        .systemLibrary(
            name: "CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),

        // Layers, bottom up.
        .target(name: "ObjStreamWire", dependencies: ["CLZ4"]),
        .target(name: "ObjStreamMetrics", dependencies: ["ObjStreamWire"]),
        // The cluster map: the members, their gateways and their public keys; Ed25519 signing keys
        // and the connection signature of WIRE.md section 7 (libsodium).
        .target(name: "ObjStreamCluster", dependencies: ["ObjStreamWire", "CSodium"]),
        // The object checksums of STORE.md (xxhash, md5, crc32c, sha256, sha512) over the C libraries.
        .target(name: "ObjStreamChecksum", dependencies: ["ObjStreamWire", "CXXHash", "CNettle", "CISAL"]),
        .target(name: "ObjStreamReceive", dependencies: ["CFileSystem", "ObjStreamWire", "ObjStreamMetrics", "ObjStreamChecksum"]),
        .target(
            name: "ObjStreamGateway",
            dependencies: ["CMicroHTTPD", "CGnuTLS", "ObjStreamWire", "ObjStreamReceive", "ObjStreamMetrics", "ObjStreamCluster"]
        ),
        .target(name: "ObjStreamSend", dependencies: ["CGnuTLS", "ObjStreamWire", "ObjStreamMetrics", "ObjStreamCluster"]),
        // The configuration file, and how it maps onto the sender's options and the file store's.
        .target(name: "ObjStreamConfig", dependencies: ["ObjStreamWire", "ObjStreamCluster", "ObjStreamSend", "ObjStreamReceive"]),
        .executableTarget(
            name: "objstream",
            dependencies: [
                "ObjStreamWire", "ObjStreamReceive", "ObjStreamGateway", "ObjStreamSend", "ObjStreamMetrics",
                "ObjStreamConfig", "ObjStreamChecksum", "ObjStreamCluster",
            ]
        ),

        // The benchmark (`make bench`), apart from the production binary; it runs `objstream serve` beside it.
        .executableTarget(name: "objstream-bench", dependencies: ["ObjStreamWire", "ObjStreamSend"]),

        // Coverage-guided fuzz targets (`make fuzz`), each its own tool: built with
        // `-sanitize=fuzzer,address -DOBJSTREAM_LIBFUZZER` they run libFuzzer, built plainly they
        // replay input files through the same entry point.
        .target(name: "ObjStreamFuzzSupport", dependencies: ["ObjStreamWire"]),
        .executableTarget(name: "objstream-fuzz-stream", dependencies: ["ObjStreamWire", "ObjStreamFuzzSupport"]),
        .executableTarget(name: "objstream-fuzz-header", dependencies: ["ObjStreamWire", "ObjStreamFuzzSupport"]),
        .executableTarget(
            name: "objstream-fuzz-config", dependencies: ["ObjStreamConfig", "ObjStreamCluster", "ObjStreamFuzzSupport"]
        ),

        // The seed's examples, ported (`swift run objstream-examples [headers|obj]`).
        .executableTarget(
            name: "objstream-examples",
            dependencies: ["ObjStreamWire", "ObjStreamSend", "ObjStreamReceive", "ObjStreamGateway", "ObjStreamMetrics"],
            path: "Examples"
        ),

        // Tests, with one support library for paths, processes and ports.
        .target(name: "ObjStreamTestSupport", dependencies: ["CFileSystem", "ObjStreamWire"], path: "Tests/ObjStreamTestSupport"),
        .testTarget(name: "ObjStreamTestSupportTests", dependencies: ["ObjStreamWire", "ObjStreamTestSupport"]),
        .testTarget(name: "ObjStreamWireTests", dependencies: ["ObjStreamWire", "ObjStreamTestSupport"]),
        .testTarget(name: "ObjStreamClusterTests", dependencies: ["ObjStreamCluster", "ObjStreamTestSupport"]),
        .testTarget(name: "ObjStreamMetricsTests", dependencies: ["ObjStreamMetrics", "ObjStreamTestSupport"]),
        .testTarget(
            name: "ObjStreamChecksumTests", dependencies: ["ObjStreamChecksum", "CISAL", "ObjStreamTestSupport"]
        ),
        .testTarget(
            name: "ObjStreamConfigTests",
            dependencies: ["ObjStreamConfig", "ObjStreamCluster", "ObjStreamSend", "ObjStreamReceive", "ObjStreamTestSupport"]
        ),
        .testTarget(
            name: "ObjStreamGatewayTests",
            dependencies: [
                "CFileSystem", "ObjStreamWire", "ObjStreamReceive", "ObjStreamGateway", "ObjStreamMetrics", "ObjStreamChecksum",
                "ObjStreamCluster", "ObjStreamSend", "ObjStreamTestSupport",
            ]
        ),
        .testTarget(
            name: "ObjStreamSendTests",
            dependencies: [
                "ObjStreamWire", "ObjStreamSend", "ObjStreamReceive", "ObjStreamGateway", "ObjStreamMetrics",
                "ObjStreamCluster", "ObjStreamTestSupport",
            ]
        ),
        .testTarget(
            name: "ObjStreamSoakTests",
            dependencies: [
                "ObjStreamWire", "ObjStreamSend", "ObjStreamReceive", "ObjStreamGateway", "ObjStreamMetrics",
                "ObjStreamTestSupport",
            ]
        ),
        .testTarget(
            name: "OperationsTests", dependencies: ["ObjStreamMetrics", "ObjStreamConfig", "ObjStreamCluster", "ObjStreamTestSupport"]
        ),
    ]
)

// Shared settings, applied once to every Swift target.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}

package.swiftLanguageModes = [.v6]
