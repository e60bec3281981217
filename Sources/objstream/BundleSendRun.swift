import Dispatch
import ObjStreamCluster
import ObjStreamConfig
import ObjStreamSend
import ObjStreamWire
import Synchronization

/// One `objstream send --cluster` in rounds: every object goes to its destinations once (the
/// URLs from the cluster map, `--streams` streams per destination); the copies that failed for
/// a reason that may pass go again to their nodes in the next round, after a backoff and after
/// the broken destinations' streams were reopened, until delivered or out of attempts.
final class BundleSendRun: SendRunning {
    private let bundle: StreamBundle
    private let ledger: BundleLedger
    private let progress: SendProgress
    private let outstanding = DispatchGroup()
    private let wake = DispatchSemaphore(value: 0)
    /// The nodes of the object being made in a retry round (nil: every destination).
    private let currentNodes = Mutex<[String]?>(nil)
    let streamCount: Int

    /// Makes the run, or writes why it cannot be made.
    /// - Parameters:
    ///   - arguments: The bundle's options of the command line.
    ///   - options: The streams' options.
    ///   - multiplier: Streams per destination (`--streams`).
    ///   - retries: How many times a failed copy goes again.
    ///   - keepsFailures: Whether to keep every failure (for `--report`).
    ///   - progress: Where delivered and failed copies are counted.
    /// - Returns: The run, or nil after writing the problem (the map, the node, the destinations).
    static func make(
        _ arguments: BundleArguments, options: StreamOptions, multiplier: Int, retries: Int, keepsFailures: Bool,
        progress: SendProgress
    ) -> BundleSendRun? {
        guard let path = arguments.clusterPath, let node = arguments.node, let endpoint = arguments.endpointName else {
            return nil
        }
        let map: ClusterMap
        do {
            map = try ClusterMap.load(contentsOf: path)
        } catch {
            StandardError.write("objstream send: --cluster \(path):\n\(error.description)\n")
            return nil
        }
        // SigningArguments has refused a node that is not a member.
        if map.peers(of: node).isEmpty {
            StandardError.write("objstream send: the cluster map \(path) has no member but \(node) to send to\n")
            return nil
        }
        var bundleOptions = BundleOptions(localNodeID: node, endpointName: endpoint)
        bundleOptions.multiplier = multiplier
        bundleOptions.nodes = arguments.nodes.map(Set.init)
        bundleOptions.stream = options
        do {
            return try BundleSendRun(map: map, options: bundleOptions, retries: retries, keepsFailures: keepsFailures, progress: progress)
        } catch {
            StandardError.write("objstream send: \(error)\n")
            return nil
        }
    }

    private init(
        map: ClusterMap, options: BundleOptions, retries: Int, keepsFailures: Bool, progress: SendProgress
    ) throws(SendError) {
        let destinations = map.peers(of: options.localNodeID).map(\.id).filter { options.nodes?.contains($0) ?? true }
        let ledger = BundleLedger(destinations: destinations, retries: retries, keepsFailures: keepsFailures, progress: progress)
        let outstanding = self.outstanding
        var options = options
        options.copyCallback = { node, header, context, error in
            ledger.copyCompleted(node: node, header: header, index: (context as? SendRun.Ticket)?.index ?? -1, error: error)
        }
        options.sentCallback = { _, context, _ in
            (context as? SendRun.Ticket)?.file?.release()  // every copy completed: every file is closed
            outstanding.leave()
        }
        options.terminationCallback = { node, error in progress.streamErrors.record("node \(node)", error) }
        bundle = try StreamBundle(map: map, options: options)
        self.ledger = ledger
        self.progress = progress
        streamCount = destinations.count * options.multiplier
    }

    var sourcesPerObject: Int { max(1, ledger.destinations.count) }

    var failures: [SendRun.Failure] { ledger.failures }

    var nodeLines: [String] { ledger.lines }

    var nodeReports: [SendReport.Node]? { ledger.reports }

    func run(count: Int, isSending: () -> Bool, object: (Int) -> OutgoingObject?) {
        var round: [(index: Int, name: String, nodes: [String])]? = nil  // nil: the first, every object everywhere
        var backoff = RetryBackoff.rounds
        while true {
            let deliveredBefore = progress.objects.load(ordering: .relaxed)
            if let round {
                send(round.lazy.map { ($0.index, $0.nodes) }, isSending: isSending, object: object)
            } else {
                send((0..<count).lazy.map { ($0, nil) }, isSending: isSending, object: object)
            }
            outstanding.wait()
            if progress.objects.load(ordering: .relaxed) > deliveredBefore {
                backoff = RetryBackoff.rounds
            }
            let next = ledger.takeRetries()
            if next.isEmpty { break }
            if !isSending() || ledger.isStopped {
                for entry in next { for node in entry.nodes { ledger.fail(entry.name, node: node, stoppedError) } }
                break
            }
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(backoff.next() / .nanoseconds(1))))
            for id in bundle.destinationIDs where bundle.isBroken(id) == true { _ = try? bundle.reopen(id) }
            round = next
        }
        bundle.fin()
    }

    private var stoppedError: SendError { SendError(code: .stopped, message: "the send was stopped") }

    /// One round: each object to its nodes (nil: all).
    private func send(
        _ entries: some Sequence<(Int, [String]?)>, isSending: () -> Bool, object: (Int) -> OutgoingObject?
    ) {
        for (index, nodes) in entries {
            if !isSending() || ledger.isStopped { break }
            currentNodes.withLock { $0 = nodes }
            guard let outgoing = object(index) else { continue }
            outstanding.enter()
            // Every copy is accounted for by the callbacks, refused ones too.
            try? bundle.send(outgoing, to: nodes)
        }
    }

    func stop() {
        ledger.markStopped()
        bundle.stop()
        wake.signal()
    }

    func fail(_ name: String, _ error: SendError) {
        for node in currentNodes.withLock({ $0 }) ?? ledger.destinations { ledger.fail(name, node: node, error) }
    }
}
