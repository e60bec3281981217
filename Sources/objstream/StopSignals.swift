import Foundation
import ObjStreamConfig
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, taken with `sigwait`: the signals that stop `serve` and `send` (and
/// for `serve` SIGHUP, which reloads its cluster map).
///
/// For `send`, a first signal stops a running send, one during the linger ends it, and one
/// while the streams are stopping exits at once.
final class StopSignals: Sendable {
    /// Where a send is.
    private enum Phase {
        static let sending = 0
        static let stopping = 1
        static let lingering = 2
    }

    private let phase = Atomic(Phase.sending)
    private let lingerEnded = DispatchSemaphore(value: 0)

    /// SIGTERM and SIGINT, and SIGHUP when asked.
    private static func signals(hangup: Bool) -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        if hangup { sigaddset(&signals, SIGHUP) }
        return signals
    }

    /// Blocks the signals in the calling thread, and so in every thread it starts after; call it
    /// before any thread starts, so that only ``wait(hangup:)`` takes them.
    /// The corresponding C function is `pthread_sigmask`.
    /// - Parameter hangup: Whether SIGHUP is blocked (and so taken by ``wait(hangup:)``) too.
    static func block(hangup: Bool = false) {
        var set = signals(hangup: hangup)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for one of the (blocked) signals.
    /// - Parameter hangup: Whether SIGHUP is among them.
    /// - Returns: The signal number.
    /// The corresponding C function is `sigwait`.
    static func wait(hangup: Bool = false) -> Int32 {
        var set = signals(hangup: hangup)
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    /// Starts the thread that takes the signals of a send.
    /// - Parameter stop: Stops the streams, on the first signal while sending.
    init(stop: @escaping @Sendable () -> Void) {
        Thread { [self] in
            while true {
                let received = Self.wait()
                let (stopped, was) = phase.compareExchange(
                    expected: Phase.sending, desired: Phase.stopping, ordering: .acquiringAndReleasing)
                if stopped {
                    StandardError.write("objstream send: signal \(received): stopping the streams\n")
                    stop()
                } else if was == Phase.lingering {
                    lingerEnded.signal()
                } else {
                    _exit(128 + received)
                }
            }
        }.start()
    }

    /// Whether no signal has stopped the send.
    var isSending: Bool { phase.load(ordering: .acquiring) == Phase.sending }

    /// Enters the linger: from now on a signal ends it.
    /// - Returns: Whether a signal stopped the send before.
    func beginLinger() -> Bool {
        phase.exchange(Phase.lingering, ordering: .acquiringAndReleasing) != Phase.sending
    }

    /// Waits out the linger, or until a signal ends it.
    /// - Parameter duration: How long at most.
    func linger(for duration: Duration) {
        _ = lingerEnded.wait(timeout: .now() + .nanoseconds(Int(DurationFormat.nanoseconds(duration))))
    }
}
