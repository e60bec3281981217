#if canImport(Glibc)
import Glibc
#endif

/// A count of open stream sessions that one can wait on until it reaches zero.
///
/// A pthread mutex and condition variable: sessions open and close on
/// libmicrohttpd's connection threads, waiters block on theirs.
final class OpenSessions: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var open = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// The sessions open now.
    var count: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return open
    }

    /// Counts a session in.
    func enter() {
        pthread_mutex_lock(mutex)
        open += 1
        pthread_mutex_unlock(mutex)
    }

    /// Counts a session out, waking waiters at zero.
    func leave() {
        pthread_mutex_lock(mutex)
        open -= 1
        if open == 0 { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
    }

    /// Blocks until no session is open or `timeout` has passed.
    /// - Parameter timeout: The longest wait.
    /// - Returns: Whether the count reached zero.
    func waitUntilZero(timeout: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = timeout.components
        var nanos = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanos / 1_000_000_000, tv_nsec: 0)
        nanos %= 1_000_000_000
        deadline.tv_nsec = nanos
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while open > 0 {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { return open == 0 }
        }
        return true
    }
}
