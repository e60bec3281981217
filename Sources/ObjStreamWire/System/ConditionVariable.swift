#if canImport(Glibc)
import Glibc
#endif

/// A mutex and a condition variable on the monotonic clock: the one way a thread here
/// waits for another, with or without a timeout.
///
/// ``lock()``, ``unlock()``, ``signal()``, ``broadcast()`` and ``wait()`` are the
/// pthread calls; ``wait(until:)`` waits for a deadline and ``wait(for:timeout:)``
/// for a condition on the protected state.
package final class ConditionVariable: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates an unlocked mutex and its condition variable.
    ///
    /// The corresponding C functions are `pthread_mutex_init` and `pthread_cond_init`.
    package init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Locks the mutex.
    ///
    /// The corresponding C function is `pthread_mutex_lock`.
    package func lock() { pthread_mutex_lock(mutex) }

    /// Unlocks the mutex.
    ///
    /// The corresponding C function is `pthread_mutex_unlock`.
    package func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex locked.
    /// - Parameter body: What to do under the lock.
    /// - Returns: `body`'s result.
    package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Wakes one waiter; call with the mutex locked.
    ///
    /// The corresponding C function is `pthread_cond_signal`.
    package func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter; call with the mutex locked.
    ///
    /// The corresponding C function is `pthread_cond_broadcast`.
    package func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits for a wake-up (or a spurious one); call with the mutex locked.
    ///
    /// The corresponding C function is `pthread_cond_wait`.
    package func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a wake-up until a deadline; call with the mutex locked.
    ///
    /// The corresponding C function is `pthread_cond_timedwait`.
    /// - Parameter deadline: When to stop waiting.
    /// - Returns: false when the deadline passed without a wake-up.
    package func wait(until deadline: ContinuousClock.Instant) -> Bool {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return false }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = left.components
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var end = timespec(
            tv_sec: now.tv_sec + Int(clamping: seconds) + nanoseconds / 1_000_000_000,
            tv_nsec: nanoseconds % 1_000_000_000)
        return pthread_cond_timedwait(condition, mutex, &end) != ETIMEDOUT
    }

    /// Waits until `isDone` holds, or `timeout` has passed; call with the mutex locked.
    /// - Parameters:
    ///   - isDone: The condition on the state the mutex protects.
    ///   - timeout: The longest wait; nil waits for as long as it takes.
    /// - Returns: Whether `isDone` holds.
    package func wait(for isDone: () -> Bool, timeout: Duration?) -> Bool {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while !isDone() {
            if let deadline {
                if !wait(until: deadline) { return isDone() }
            } else {
                wait()
            }
        }
        return true
    }
}
