/// The connection attempts of one request: when the first began, how many were made, and
/// the backoff between them. A reconnect after a reset before the first byte continues
/// them, so that one retry window covers everything before the request's first byte.
struct ConnectAttempts {
    /// When the first attempt began.
    let start = ContinuousClock.now
    /// Attempts made so far.
    var count = 0
    /// The sleeps between attempts.
    var backoff: RetryBackoff

    /// Starts the attempts of a request.
    /// - Parameter options: The first sleep and the cap of the backoff.
    init(_ options: StreamOptions) {
        backoff = RetryBackoff(first: options.retryFirstSleep, cap: options.retryCap)
    }

    /// The time since the first attempt began.
    var elapsed: Duration { start.duration(to: .now) }
}
