import ObjStreamCluster
import ObjStreamMetrics
import Synchronization

/// The checks of WIRE.md section 7 that a stream request passes before its body is read:
/// its session id, and with signing on, that its sender is a member of the cluster map,
/// its signature and its nonce (against the sender's ``ReplayWindow``).
///
/// The cluster map can be replaced while the gateway runs (``reload(_:)``): requests that
/// start after take the new one; open streams are not touched.
final class CallerChecks: Sendable {
    /// What the checks make of a request.
    enum Verdict {
        /// Go on, with the request's session id.
        case accepted(sessionID: Int64)
        /// Answer with the reason's status and code.
        case rejected(AuthReason, String)
    }

    /// The gateway's signing mode.
    let mode: SigningMode
    private let map: Mutex<ClusterMap?>
    private let windows = Mutex<[String: ReplayWindow]>([:])
    private let replayState: ReplayState?
    private let rejected: [AuthReason: Counter]
    private let signed: Counter
    private let unsigned: Counter
    private let mapVersion: Gauge
    private let reloads: MetricFamily<Counter>

    /// Creates the checks.
    /// - Parameters:
    ///   - mode: The signing mode.
    ///   - map: The cluster map, if any.
    ///   - replayState: Where the senders' highest nonces persist, if anywhere.
    ///   - registry: Where `objstream_auth_*` and `objstream_cluster_map_*` go.
    init(mode: SigningMode, map: ClusterMap?, replayState: ReplayState?, registry: MetricsRegistry) {
        self.mode = mode
        self.map = Mutex(map)
        self.replayState = replayState
        let family = registry.counter(
            "objstream_auth_rejected_total",
            help: "Stream requests refused before their body by the caller checks (session id, cluster membership, signature, nonce), by reason.",
            labels: ["reason"])
        rejected = Dictionary(uniqueKeysWithValues: AuthReason.allCases.map { ($0, family.labels($0.rawValue)) })
        let accepted = registry.counter(
            "objstream_auth_accepted_total",
            help: "Stream requests the caller checks let through with signing on: signature verified, or unsigned (permissive mode).",
            labels: ["signature"])
        signed = accepted.labels("verified")
        unsigned = accepted.labels("unsigned")
        mapVersion = registry.gauge(
            "objstream_cluster_map_version", help: "The version of the cluster map the gateway checks callers against; -1: none."
        ).labels()
        mapVersion.set(map?.version ?? -1)
        reloads = registry.counter(
            "objstream_cluster_map_reloads_total",
            help: "Cluster map reloads (SIGHUP), by result: ok, or failed (the map in use stays).", labels: ["result"])
        _ = reloads.labels("ok")
        _ = reloads.labels("failed")
    }

    /// The cluster map in use.
    var clusterMap: ClusterMap? { map.withLock { $0 } }

    /// Replaces the cluster map for requests that start from now on.
    /// - Parameter newMap: The new map.
    func reload(_ newMap: ClusterMap) {
        map.withLock { $0 = newMap }
        mapVersion.set(newMap.version)
        reloads.labels("ok").increment()
    }

    /// Counts a reload that failed (the map in use stays).
    func reloadFailed() { reloads.labels("failed").increment() }

    /// Checks a request's headers.
    /// - Parameters:
    ///   - trname: The endpoint name.
    ///   - header: Looks up a request header.
    /// - Returns: The verdict; a rejection is counted.
    func check(trname: String, header: (String) -> String?) -> Verdict {
        let verdict = judge(trname: trname, header: header)
        if case .rejected(let reason, _) = verdict { rejected[reason]?.increment() }
        return verdict
    }

    private func judge(trname: String, header: (String) -> String?) -> Verdict {
        guard let sessionText = header("Ais-Session-Id") else {
            // With signing off, as before: a stream without a session id is session 0.
            return mode == .off ? .accepted(sessionID: 0) : .rejected(.missingSessionID, "no Ais-Session-Id header")
        }
        guard let sessionID = Int64(sessionText) else {
            return .rejected(.badSessionID, "Ais-Session-Id '\(sessionText)' is not an int64")
        }
        if mode == .off { return .accepted(sessionID: sessionID) }

        let sender = header("Ais-Caller-Id") ?? ""
        guard let map = clusterMap, let member = map.node(sender) else {
            let version = clusterMap.map { "version \($0.version)" } ?? "none loaded"
            return .rejected(.unknownSender, "sender '\(sender)' is not a member of the cluster map (\(version))")
        }
        guard let signatureText = header(CallerSignature.signatureHeader) else {
            if mode == .strict {
                return .rejected(.missingSignature, "sender '\(sender)': no \(CallerSignature.signatureHeader) (signing is strict)")
            }
            unsigned.increment()
            return .accepted(sessionID: sessionID)
        }
        guard let publicKey = member.publicKey else {
            return .rejected(.noPublicKey, "sender '\(sender)' has no public_key in the cluster map (version \(map.version))")
        }
        guard let signature = CallerSignature.parse(signatureText) else {
            return .rejected(
                .badSignature, "sender '\(sender)': \(CallerSignature.signatureHeader) is not 86 characters of base64 URL-safe")
        }
        guard let nonceText = header(CallerSignature.nonceHeader), let nonce = UInt64(nonceText) else {
            return .rejected(.badNonce, "sender '\(sender)': \(CallerSignature.nonceHeader) is missing or not a u64")
        }
        guard let versionText = header(CallerSignature.mapVersionHeader), let version = Int64(versionText) else {
            return .rejected(
                .badMapVersion, "sender '\(sender)': \(CallerSignature.mapVersionHeader) is missing or not an int64")
        }
        let message = CallerSignature.message(
            trname: trname, senderID: sender, sessionID: sessionID, mapVersion: version, nonce: nonce)
        guard publicKey.verifies(signature, of: message) else {
            return .rejected(
                .badSignature,
                "sender '\(sender)': the signature does not verify against its public_key for trname '\(trname)', "
                    + "session \(sessionID), map version \(version), nonce \(nonce)")
        }
        if let refusal = takeNonce(nonce, from: sender) { return refusal }
        signed.increment()
        return .accepted(sessionID: sessionID)
    }

    /// Takes a verified request's nonce into its sender's window, durably with a replay state.
    private func takeNonce(_ nonce: UInt64, from sender: String) -> Verdict? {
        let verdict = windows.withLock { windows -> ReplayWindow.Verdict in
            var window = windows[sender] ?? replayState?.floors[sender].map(ReplayWindow.init(floor:)) ?? ReplayWindow()
            let verdict = window.verdict(nonce)
            if verdict == .fresh { window.accept(nonce) }
            windows[sender] = window
            return verdict
        }
        switch verdict {
        case .replayed:
            return .rejected(.replayedNonce, "sender '\(sender)': nonce \(nonce) was accepted before")
        case .stale:
            return .rejected(
                .staleNonce, "sender '\(sender)': nonce \(nonce) is older than the last \(ReplayWindow.size) nonces")
        case .fresh:
            guard let replayState, let problem = replayState.record(nonce, for: sender) else { return nil }
            return .rejected(.replayStateUnwritable, "nonce \(nonce) of sender '\(sender)' cannot be remembered: \(problem)")
        }
    }
}
