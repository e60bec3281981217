import ObjStreamSend

/// What `objstream send` drives: a run of rounds over one endpoint (``SendRun``) or over the
/// nodes of a cluster map (``BundleSendRun``).
protocol SendRunning: Sendable {
    /// Sends every object, in rounds, retrying what may pass.
    /// - Parameters:
    ///   - count: How many objects.
    ///   - isSending: Whether no signal has stopped the send.
    ///   - object: Makes object `index`, with a ``SendRun/Ticket`` as its context (nil when it
    ///     cannot be made: recorded with ``fail(_:_:)``).
    func run(count: Int, isSending: () -> Bool, object: (Int) -> OutgoingObject?)

    /// Stops the streams and the backoff; no more rounds follow.
    func stop()

    /// Records an object that failed for good before it was sent.
    /// - Parameters:
    ///   - name: The object's name.
    ///   - error: Why it failed.
    func fail(_ name: String, _ error: SendError)

    /// The failures for good so far (empty unless kept for `--report`).
    var failures: [SendRun.Failure] { get }

    /// How many sources each object opens at once (one per destination).
    var sourcesPerObject: Int { get }

    /// How many streams the run keeps open at most.
    var streamCount: Int { get }

    /// The per-destination lines of the summary (none for one endpoint).
    var nodeLines: [String] { get }

    /// The per-destination entries of the `--report` file (nil for one endpoint).
    var nodeReports: [SendReport.Node]? { get }
}

extension SendRunning {
    var sourcesPerObject: Int { 1 }
    var nodeLines: [String] { [] }
    var nodeReports: [SendReport.Node]? { nil }
}
