import Foundation

/// Polls `condition` until it holds: the one way tests wait for something to happen.
///
/// The timeout only bounds a failure (a hang becomes a failed expectation), so it is
/// generous; no verdict depends on how soon the condition came true.
/// - Parameters:
///   - timeout: How long to keep trying.
///   - condition: What must become true.
/// - Returns: Whether it held before the timeout.
public func eventually(timeout: Duration = .seconds(60), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    // 1 ms, doubling to 100 ms: quick when the condition comes true at once, light on a
    // loaded machine when it takes long.
    var pause: UInt32 = 1_000
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(pause)
        pause = min(pause * 2, 100_000)
    }
    return try condition()
}
