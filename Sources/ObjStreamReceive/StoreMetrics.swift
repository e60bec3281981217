import ObjStreamChecksum
import ObjStreamMetrics
import Synchronization

/// The file store's metric families (`objstream_store_*`), registered once per registry.
///
/// Every series of a fixed label set is made up front; the data path bumps counters it
/// already holds.
public final class StoreMetrics: Sendable {
    /// The `reason` label values of `objstream_store_refused_total`: the ``ObjectRefusal/Code``
    /// names and `store_full` (which ends the stream instead).
    public static let reasons = ["bad_name", "name_clash", "permission", "io_error", "checksum_mismatch", "store_full"]
    /// How many distinct unknown checksum types get a `type` label of their own; the rest are `other`.
    public static let unknownTypeLimit = 8

    private let refused: [String: Counter]
    private let verified: [ChecksumType: Counter]
    private let unverifiedFamily: MetricFamily<Counter>
    private let unverifiedTypes = Mutex<[String: Counter]>([:])
    /// `objstream_store_shortened_total`: objects stored under their shortened name.
    public let shortened: Counter
    /// `objstream_store_sidecars_total`: objects whose attributes went to a sidecar file.
    public let sidecars: Counter
    /// `objstream_store_sync_duration_seconds`: how long each `fsync`/`syncfs` of `store_sync` took.
    public let syncDuration: Histogram

    /// Registers (or finds) the store families in a registry.
    /// - Parameter registry: Where the families live.
    public init(registry: MetricsRegistry = .shared) {
        let refusedFamily = registry.counter(
            "objstream_store_refused_total", help: "Objects the file store did not store, by reason.", labels: ["reason"])
        refused = Dictionary(uniqueKeysWithValues: Self.reasons.map { ($0, refusedFamily.labels($0)) })
        let verifiedFamily = registry.counter(
            "objstream_store_verified_total", help: "Objects whose checksum the file store verified while writing, by type.",
            labels: ["type"])
        verified = Dictionary(uniqueKeysWithValues: ChecksumType.all.map { ($0, verifiedFamily.labels($0.name)) })
        unverifiedFamily = registry.counter(
            "objstream_store_unverified_total",
            help: "Objects stored with a checksum the file store could not verify (unknown type or no value), by type.",
            labels: ["type"])
        shortened = registry.counter(
            "objstream_store_shortened_total", help: "Objects stored under their shortened name (.x + SHA-256).").labels()
        sidecars = registry.counter(
            "objstream_store_sidecars_total", help: "Objects whose attributes did not fit in extended attributes.").labels()
        syncDuration = registry.histogram(
            "objstream_store_sync_duration_seconds", help: "Durations of the file store's syncs (store_sync).",
            bounds: Histogram.exponentialBounds(start: 0.0001, factor: 4, count: 10)
        ).labels()
    }

    /// The refusal counter of a reason.
    /// - Parameter reason: One of ``reasons``.
    /// - Returns: Its counter (`io_error`'s for a reason not in the list).
    public func refused(_ reason: String) -> Counter {
        refused[reason] ?? refused["io_error"]!
    }

    /// The verification counter of a checksum type.
    /// - Parameter type: The type.
    /// - Returns: Its counter.
    public func verified(_ type: ChecksumType) -> Counter {
        verified[type]!
    }

    /// The counter of objects stored without verification, for a checksum type name.
    ///
    /// A name of up to 32 bytes of `a-z`, `0-9`, `_`, `-` is its own label value, for the first
    /// ``unknownTypeLimit`` such names; every other name is `other`.
    /// - Parameter name: The header's checksum type.
    /// - Returns: The counter.
    public func unverified(_ name: String) -> Counter {
        let plain = name.utf8.count <= 32
            && name.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f || $0 == 0x2d }
        return unverifiedTypes.withLock { types in
            if plain, let counter = types[name] { return counter }
            let named = types.keys.count { $0 != "other" }
            let label = plain && named < Self.unknownTypeLimit ? name : "other"
            if let counter = types[label] { return counter }
            let counter = unverifiedFamily.labels(label)
            types[label] = counter
            return counter
        }
    }
}
