/// What a gateway requires of the signatures of stream requests (`signing`, `serve --signing`).
public enum SigningMode: String, Sendable, CaseIterable {
    /// Nothing is checked (the reference's default): the signing headers are ignored.
    case off
    /// Signed requests are verified; unsigned requests from members are accepted and counted.
    case permissive
    /// Every request must carry a valid signature from a member of the cluster map.
    case strict
}
