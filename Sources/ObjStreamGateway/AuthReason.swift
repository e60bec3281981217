/// Why the caller checks refused a stream request before its body: the JSON `code` of the
/// answer and the `reason` label of `objstream_auth_rejected_total`.
public enum AuthReason: String, Sendable, CaseIterable {
    /// No `Ais-Session-Id` (with signing on): `400`.
    case missingSessionID = "missing_session_id"
    /// `Ais-Session-Id` is not an int64: `400`.
    case badSessionID = "bad_session_id"
    /// `Ais-Caller-Id` is missing or names no member of the cluster map: `403`.
    case unknownSender = "unknown_sender"
    /// The sender signed, or must sign, but its map entry has no `public_key`: `403`.
    case noPublicKey = "no_public_key"
    /// Strict mode and no `Ais-Caller-Sig`: `403`.
    case missingSignature = "missing_signature"
    /// `Ais-Caller-Sig` is not 86 characters of base64 URL-safe, or does not verify: `403`.
    case badSignature = "bad_signature"
    /// A signed request without a decimal u64 `Ais-Caller-Nonce`: `403`.
    case badNonce = "bad_nonce"
    /// A signed request without a decimal int64 `Ais-Caller-Smap-Ver`: `403`.
    case badMapVersion = "bad_map_version"
    /// The nonce was accepted from that sender before: `403`.
    case replayedNonce = "replayed_nonce"
    /// The nonce is older than the sender's replay window: `403`.
    case staleNonce = "stale_nonce"
    /// The replay state file could not be written, so the nonce cannot be remembered: `503`.
    case replayStateUnwritable = "replay_state_unwritable"

    /// The HTTP status of the answer.
    public var status: UInt32 {
        switch self {
        case .missingSessionID, .badSessionID: 400
        case .replayStateUnwritable: 503
        default: 403
        }
    }
}
