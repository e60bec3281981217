import ObjStreamMetrics
import ObjStreamWire

/// An endpoint that stores every data object as a file under
/// `directory/<provider>/<namespace>/<bucket>/<object>` (see ``StorePath``).
///
/// Each object is written to a hidden temporary name in its final folder and renamed
/// when its last byte has arrived, so a broken object never appears under its name.
/// Objects with unsafe names are refused: logged (names escaped, at most 10 lines a second,
/// the rest counted in a `suppressed` line), counted in `objstream_rx_refused_objects_total`,
/// their bytes discarded, the stream goes on.
/// Control objects are not stored. Files are not fsync'ed.
public struct FileStoreEndpoint: Endpoint {
    /// The store's root folder.
    public let directory: String
    private let metrics: ReceiveMetrics
    private let log: RateLimitedLog

    /// Creates the endpoint.
    /// - Parameters:
    ///   - directory: The root folder (created on demand).
    ///   - metrics: Where the stored and refused counts go.
    ///   - log: Where refusals are reported, one line each (rate-limited here).
    public init(directory: String, metrics: ReceiveMetrics, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.metrics = metrics
        self.log = RateLimitedLog("refused-object", sink: log)
    }

    public func makeReceiver(for session: SessionInfo) -> any ObjectReceiver {
        FileStoreReceiver(root: directory, session: session, series: metrics.endpoint(session.trname), log: log)
    }
}
