import ObjStreamMetrics
import ObjStreamWire

/// An endpoint that stores every data object as a file under
/// `directory/<provider>/<namespace>/<bucket>/<object>` (see ``StorePath``), with its
/// checksum, version, access time and custom metadata in extended attributes (see
/// ``StoreAttributes``).
///
/// Each object is written to a temporary name (`.objstream-<pid>-<n>.tmp`) in its final
/// folder and renamed when its last byte has arrived, so a broken object never appears under
/// its name. A checksum of a known type is verified while the bytes are written; a mismatch
/// refuses the object. A per-object failure refuses that object only (``ObjectRefusal``:
/// logged, counted in `objstream_rx_refused_objects_total` and `objstream_store_refused_total`,
/// the stream goes on); a full filesystem ends the stream (``ReceiveError/Code/storeFull``).
/// Control objects are not stored. How writes are made durable is ``StoreSync``.
///
/// The folder is checked when the endpoint is made (``init(directory:sync:metrics:log:)``);
/// the endpoint reports itself unhealthy after 3 write failures in a row (I/O, permission,
/// out of space), healthy again after the next object stored. The README's "File store"
/// section describes the layout, the attributes and the sync modes.
public struct FileStoreEndpoint: Endpoint {
    /// The store's root folder.
    public let directory: String
    /// When writes are made durable.
    public let sync: StoreSync
    /// The largest value one extended attribute of a new file took when the folder was checked.
    public let attributeCapacity: Int
    let metrics: ReceiveMetrics
    let storeHealth = StoreHealth()
    /// Refusals, at most 10 lines a second (the rest counted in a `suppressed` line).
    let log: RateLimitedLog

    /// Creates the endpoint, after checking its folder.
    /// - Parameters:
    ///   - directory: The root folder (created when missing).
    ///   - sync: When writes are made durable (default `request`).
    ///   - metrics: Where the stored and refused counts go (`metrics.store` for the store's own).
    ///   - log: Where refusals are reported, one line each (rate-limited here; wire data escaped).
    /// - Throws: ``ReceiveError`` ``ReceiveError/Code/storeUnusable`` naming the folder and what
    ///   failed: it cannot be created, is not writable, or does not keep extended attributes.
    public init(
        directory: String, sync: StoreSync = .request, metrics: ReceiveMetrics, log: @escaping @Sendable (String) -> Void
    ) throws(ReceiveError) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.sync = sync
        self.metrics = metrics
        self.log = RateLimitedLog("refused-object", sink: log)
        attributeCapacity = try StoreProbe.check(self.directory)
    }

    public func makeReceiver(for session: SessionInfo) -> any ObjectReceiver {
        FileStoreReceiver(endpoint: self, session: session)
    }

    /// Unhealthy after 3 write failures in a row, until the next object stored.
    public var health: EndpointHealth { storeHealth.health }
}
