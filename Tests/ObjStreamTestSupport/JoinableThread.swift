#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread that can be waited for (`Foundation.Thread` cannot be joined).
final class JoinableThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let thread: pthread_t

    /// Starts a thread.
    ///
    /// The corresponding C function is `pthread_create`.
    /// - Parameter body: What the thread does.
    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(rc == 0, "pthread_create: \(String(cString: strerror(rc)))")
        self.thread = thread
    }

    /// Waits for the thread to finish; call once.
    ///
    /// The corresponding C function is `pthread_join`.
    func join() { pthread_join(thread, nil) }
}
