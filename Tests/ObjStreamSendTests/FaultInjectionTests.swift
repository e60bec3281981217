import Dispatch
import Foundation
import ObjStreamTestSupport
import Synchronization
import Testing

/// The real `objstream send` to a real `objstream serve --store` through a proxy that
/// breaks connections at random offsets: nothing is lost without a word.
///
/// The seed is printed; `OBJSTREAM_FAULT_SEED=N` replays a run.
@Suite(.serialized) struct FaultInjectionTests {
    /// How one sender frames its stream.
    enum Kind: String, CaseIterable, Sendable {
        case plain, pdu, lz4

        var options: [String] {
            switch self {
            case .plain: []
            case .pdu: ["--pdu", "16KiB"]
            case .lz4: ["--compress"]
            }
        }
    }

    private static let seed: UInt64 = {
        let seed = ProcessInfo.processInfo.environment["OBJSTREAM_FAULT_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("FaultInjectionTests: OBJSTREAM_FAULT_SEED=\(seed)")
        return seed
    }()

    /// Files of random sizes (some empty) and random bytes under `folder/f/`, by object name
    /// (their path relative to `f`, as `objstream send folder/f` names them).
    private func makeFiles(_ count: Int, in folder: URL, seed: UInt64) throws -> [String: [UInt8]] {
        var rng = SplitMix64(seed: seed)
        var files: [String: [UInt8]] = [:]
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("f"), withIntermediateDirectories: true)
        for i in 0..<count {
            let size = i % 50 == 0 ? 0 : Int(rng.next() % (64 << 10))
            let bytes = Self.randomBytes(size, &rng)
            let name = String(format: "%05d", i)
            try Data(bytes).write(to: folder.appendingPathComponent("f/" + name))
            files[name] = bytes
        }
        return files
    }

    /// Random bytes, eight at a time (a debug build is slow per byte).
    private static func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var words = (0..<(count + 7) / 8).map { _ in rng.next() }
        return words.withUnsafeMutableBytes { Array($0.prefix(count)) }
    }

    private func serve(_ store: URL) throws -> (ChildProcess, UInt16) {
        let serve = try ChildProcess(
            TestPaths.objstreamBinary.path,
            // Syncs are not what these tests are about, and on a busy disk a sync per request can
            // outlast the senders' 1 s response timeout.
            ["serve", "--listen", "127.0.0.1:0", "--store", store.path, "--store-sync", "none", "--endpoint", "fi=store"])
        return (serve, try serve.reportedPort(after: "objstream: listening on 127.0.0.1:"))
    }

    private struct Report: Decodable {
        struct Failed: Decodable {
            var object: String
            var error: String
            var message: String
        }

        var delivered: Int
        var failed: [Failed]
    }

    /// Sends a folder through the proxy and reads the report.
    private func send(
        _ folder: URL, bucket: String, port: UInt16, kind: Kind, retries: Int, checksum: String = "xxhash"
    ) throws -> (ChildProcess.Outcome, Report?) {
        let report = folder.appendingPathComponent("report.json")
        // Small requests, two per connection: a fault within a connection's first 40 KiB hits
        // the first request or the second, written behind the first one's unread answer, and
        // connections come often enough for every fault of the plan.
        let result = try ChildProcess.run(
            TestPaths.objstreamBinary.path,
            [
                "send", "http://127.0.0.1:\(port)/v1/objstream/fi", folder.appendingPathComponent("f").path,
                "--bucket", "ais://\(bucket)", "--checksum", checksum, "--retries", String(retries),
                "--confirm-bytes", "8KiB", "--requests-per-connection", "2", "--response-timeout", "1s",
                "--report", report.path,
            ] + kind.options)
        let decoded = try? JSONDecoder().decode(Report.self, from: Data(contentsOf: report))
        return (result, decoded)
    }

    /// The stored bytes of an object of a bucket, by its name.
    private func stored(_ store: URL, bucket: String, _ name: String) -> [UInt8]? {
        let path = store.appendingPathComponent("ais/@global/\(bucket)/\(name)")
        return (try? Data(contentsOf: path)).map { [UInt8]($0) }
    }

    private func storeList(_ store: URL) throws -> [String] {
        let ls = try ChildProcess.run(TestPaths.objstreamBinary.path, ["store", "ls", store.path])
        #expect(ls.status == 0, "\(ls.stderr)")
        return ls.stdout.split(separator: "\n").map(String.init)
    }

    @Test func twoHundredFaultsWithRetriesLoseNothingAndStoreEveryObjectOnce() throws {
        let root = try TestPaths.temporaryDirectory("objstream-faults")
        let storeDir = root.appendingPathComponent("store")
        let (gateway, gatewayPort) = try serve(storeDir)
        defer { _ = gateway.stop() }
        // 200 faults over the three senders, which run at once: a stall or a truncation costs
        // the sender its response timeout, and three of them wait in parallel.
        let faultsPerKind = [Kind.plain: 67, .pdu: 67, .lz4: 66]
        let outcomes = Mutex<[Kind: (ChildProcess.Outcome, Report?, [InjectedFault], [String: [UInt8]])]>([:])
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: Kind.allCases.count) { n in
            let kind = Kind.allCases[n]
            do {
                let folder = root.appendingPathComponent(kind.rawValue)
                let files = try makeFiles(600, in: folder, seed: Self.seed &+ UInt64(n))
                let proxy = try FaultProxy(
                    upstreamPort: gatewayPort, seed: Self.seed &+ UInt64(n) &* 7919, faults: faultsPerKind[kind]!,
                    offsets: 0...(40 << 10))
                defer { proxy.close() }
                let (result, report) = try send(folder, bucket: kind.rawValue, port: proxy.port, kind: kind, retries: 5)
                outcomes.withLock { $0[kind] = (result, report, proxy.injected, files) }
            } catch {
                errors.withLock { $0.append("\(kind): \(error)") }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty, "\(errors.withLock { $0 })")
        let listed = try storeList(storeDir)
        var injectedTotal = 0
        for kind in Kind.allCases {
            let (result, report, injected, files) = try #require(outcomes.withLock { $0[kind] }, "\(kind)")
            injectedTotal += injected.count
            let context = "seed \(Self.seed), \(kind): \(injected.count) faults"
            #expect(result.status == 0, "\(context)\n\(result.stderr)")
            #expect(report?.failed.isEmpty == true, "\(context): \(report?.failed.prefix(5).map(\.message) ?? [])")
            #expect(report?.delivered == files.count, "\(context)")
            let damaged = files.filter { stored(storeDir, bucket: kind.rawValue, $0.key) != $0.value }.map(\.key)
            #expect(damaged.isEmpty, "\(context): missing or damaged: \(damaged.sorted().prefix(10))")
            // Each object once: the store lists every name of the bucket exactly once.
            let names = listed.filter { $0.hasPrefix("ais://\(kind.rawValue)/") }
            #expect(names.count == files.count, "\(context)")
            #expect(Set(names).count == names.count, "\(context)")
        }
        #expect(injectedTotal == 200, "seed \(Self.seed)")
        let metrics = try Curl.scrape(gatewayPort)
        #expect(
            ExpositionText.value(of: #"objstream_store_verified_total{type="xxhash"}"#, in: metrics) ?? 0 >= 1800,
            "seed \(Self.seed)")
    }

    @Test func withoutRetriesEveryObjectTheReportDoesNotListIsStoredIntact() throws {
        let root = try TestPaths.temporaryDirectory("objstream-faults")
        let storeDir = root.appendingPathComponent("store")
        let (gateway, gatewayPort) = try serve(storeDir)
        defer { _ = gateway.stop() }
        let files = try makeFiles(300, in: root, seed: Self.seed &+ 100)
        let proxy = try FaultProxy(upstreamPort: gatewayPort, seed: Self.seed &+ 101, faults: 20, offsets: 0...(40 << 10))
        defer { proxy.close() }
        let (result, report) = try send(root, bucket: "once", port: proxy.port, kind: .plain, retries: 0)
        let context = "seed \(Self.seed): \(proxy.injected.count) faults"
        let decoded = try #require(report, "\(context)\n\(result.stderr)")
        let failed = Set(decoded.failed.map(\.object))
        #expect(failed.count == decoded.failed.count, "\(context): an object failed twice")
        #expect(decoded.delivered + failed.count == files.count, "\(context)")
        #expect(result.status == (failed.isEmpty ? 0 : 1), "\(context)")
        let damaged = files.filter { !failed.contains($0.key) && stored(storeDir, bucket: "once", $0.key) != $0.value }
        #expect(damaged.isEmpty, "\(context): reported delivered, missing or damaged: \(damaged.keys.sorted().prefix(10))")
        #expect(!proxy.injected.isEmpty, "\(context)")
    }

    @Test func aPayloadByteFlippedOnTheWayIsRefusedAsAChecksumMismatch() throws {
        let root = try TestPaths.temporaryDirectory("objstream-flip")
        let storeDir = root.appendingPathComponent("store")
        let (gateway, gatewayPort) = try serve(storeDir)
        defer { _ = gateway.stop() }
        let folder = root.appendingPathComponent("f")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 9)  // any bytes
        let big = Self.randomBytes(200 << 10, &rng)
        try Data(big).write(to: folder.appendingPathComponent("big"))
        // The first connection's byte 100,000 lies inside the object's data.
        let proxy = try FaultProxy(upstreamPort: gatewayPort, plan: FaultPlan([0: (.flip, 100_000)]))
        defer { proxy.close() }
        let (result, report) = try send(root, bucket: "flip", port: proxy.port, kind: .plain, retries: 3)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(proxy.injected.map(\.kind) == [.flip])
        #expect(report?.failed.map(\.object) == ["big"])
        #expect(report?.failed.first?.error == "checksum_mismatch", "\(report?.failed.first?.message ?? "")")
        #expect(report?.delivered == 0)
        #expect(stored(storeDir, bucket: "flip", "big") == nil, "the refused object was stored")
        // Refused once and not sent again (only the first connection flips a byte, so a second
        // copy would have been stored): the sender's own data would not match either.
        let metrics = try Curl.scrape(gatewayPort)
        #expect(ExpositionText.value(of: #"objstream_store_refused_total{reason="checksum_mismatch"}"#, in: metrics) == 1)
    }
}
