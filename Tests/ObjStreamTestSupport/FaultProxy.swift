import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy that breaks connections on purpose: between a client and an
/// upstream on `127.0.0.1`, it forwards both directions and does the faults of a
/// ``FaultPlan`` (cut, reset, stall, truncate, flip) at chosen offsets of the
/// client-to-upstream bytes, and records what it did (``injected``).
///
/// ```swift
/// let proxy = try FaultProxy(upstreamPort: gateway.port, seed: seed, faults: 5, offsets: 0...200_000)
/// defer { proxy.close() }
/// // ... the sender under test sends to 127.0.0.1:\(proxy.port) ...
/// print(seed, proxy.injected)
/// ```
///
/// A fault hits the byte at index `offset`: a connection whose client sends `offset`
/// bytes or fewer is not faulted (and the fault does not count). Each accepted
/// connection gets a connection of its own to the upstream and a thread of its own;
/// sockets are close-on-exec. Call ``close()`` when done: the threads hold the proxy.
public final class FaultProxy: Sendable {
    /// The port the proxy listens on (`127.0.0.1`).
    public let port: UInt16
    /// Where the proxy connects for each client.
    public let upstreamPort: UInt16
    /// Which connections it faults.
    public let plan: FaultPlan

    private enum Outcome: Sendable {
        /// Planned no fault (or the rules spared it).
        case clean
        /// Its fault is planned and not hit yet.
        case pending
        case injected
        /// It ended before its fault's offset.
        case lapsed
    }

    private struct State: Sendable {
        var outcomes: [Outcome] = []
        var injected: [InjectedFault] = []
        var pending = 0
        var active = 0
        var closed = false
        var acceptor: JoinableThread?
        var threads: [JoinableThread] = []
    }

    private let listener: Int32
    /// Readable once the proxy closes: every thread polls it.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state = Mutex(State())

    /// Starts a proxy with a seeded plan (``FaultPlan/init(seed:faults:kinds:offsets:)``):
    /// at most `faults` faults, never on two connections in a row, each connection faulted
    /// otherwise with probability 1/2, at an offset drawn uniformly from `offsets`.
    /// - Parameters:
    ///   - upstreamPort: The upstream's port on `127.0.0.1`.
    ///   - seed: The seed of the plan.
    ///   - faults: The most faults to inject.
    ///   - kinds: The kinds to draw from.
    ///   - offsets: Where a fault may hit, in client-to-upstream bytes of its connection.
    /// - Throws: When the listening socket cannot be made.
    public convenience init(
        upstreamPort: UInt16, seed: UInt64, faults: Int, kinds: [Fault] = [.cut, .reset, .stall, .truncate],
        offsets: ClosedRange<Int>
    ) throws {
        try self.init(
            upstreamPort: upstreamPort, plan: FaultPlan(seed: seed, faults: faults, kinds: kinds, offsets: offsets))
    }

    /// Starts a proxy.
    ///
    /// The corresponding C functions are `socket`, `bind`, `listen` and `socketpair`.
    /// - Parameters:
    ///   - upstreamPort: The upstream's port on `127.0.0.1`.
    ///   - plan: Which connections to fault, where and how.
    /// - Throws: When the listening socket cannot be made.
    public init(upstreamPort: UInt16, plan: FaultPlan) throws {
        // A socket pair rather than a pipe: close-on-exec from the start (pipe2 is not visible from Swift).
        var wake: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &wake) == 0 else { throw LoopbackTCP.Failure("socketpair") }
        let listening: (fd: Int32, port: UInt16)
        do {
            listening = try LoopbackTCP.listen()
        } catch {
            Glibc.close(wake[0])
            Glibc.close(wake[1])
            throw error
        }
        self.upstreamPort = upstreamPort
        self.plan = plan
        listener = listening.fd
        port = listening.port
        wakeRead = wake[0]
        wakeWrite = wake[1]
        let acceptor = JoinableThread { [self] in acceptLoop() }
        state.withLock { $0.acceptor = acceptor }
    }

    /// The faults done so far, in the order they were done.
    public var injected: [InjectedFault] { state.withLock { $0.injected } }

    /// How many connections the proxy accepted so far.
    public var connections: Int { state.withLock { $0.outcomes.count } }

    /// How many of them are still open (forwarding, or held by a fault).
    public var activeConnections: Int { state.withLock { $0.active } }

    /// Stops listening, closes every connection and waits for every thread; later calls
    /// do nothing.
    ///
    /// The corresponding C functions are `write`, `pthread_join` and `close`.
    public func close() {
        let acceptor: JoinableThread? = state.withLock { s in
            guard !s.closed else { return nil }
            s.closed = true
            return s.acceptor
        }
        guard let acceptor else { return }
        var byte: UInt8 = 1
        _ = retryingOnInterrupt { write(wakeWrite, &byte, 1) }
        acceptor.join()
        // The acceptor starts no thread once it has returned.
        for thread in state.withLock({ $0.threads }) { thread.join() }
        Glibc.close(listener)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    private func acceptLoop() {
        while true {
            var fds = [
                pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            guard retryingOnInterrupt({ poll(&fds, nfds_t(fds.count), -1) }) >= 0, fds[1].revents == 0 else { return }
            let client = LoopbackTCP.accept(listener)
            guard client >= 0 else {
                if errno == ECONNABORTED || errno == EAGAIN { continue }
                return
            }
            let upstream = try? LoopbackTCP.connect(port: upstreamPort)
            let (index, fault) = admit()
            guard let upstream else {
                // Like a refused connection: the client is reset.
                LoopbackTCP.reset(client)
                lapsed(index)
                finished(index)
                continue
            }
            let connection = ProxiedConnection(
                index: index, client: client, upstream: upstream, fault: fault, wake: wakeRead, proxy: self)
            let thread = JoinableThread { connection.run() }
            state.withLock { $0.threads.append(thread) }
        }
    }

    /// Numbers a new connection and decides its fault by the plan's rules.
    private func admit() -> (index: Int, fault: (kind: Fault, offset: Int)?) {
        state.withLock { s in
            let index = s.outcomes.count
            s.active += 1
            let previous = index > 0 ? s.outcomes[index - 1] : .clean
            let previousFaulted = previous == .pending || previous == .injected
            guard let candidate = plan.candidate(forConnection: index),
                s.injected.count + s.pending < plan.limit,
                !(plan.sparesTheNextConnection && previousFaulted)
            else {
                s.outcomes.append(.clean)
                return (index, nil)
            }
            s.outcomes.append(.pending)
            s.pending += 1
            return (index, candidate)
        }
    }

    /// A connection's fault was done.
    func injected(_ fault: InjectedFault) {
        state.withLock { s in
            guard s.outcomes[fault.connection] == .pending else { return }
            s.outcomes[fault.connection] = .injected
            s.pending -= 1
            s.injected.append(fault)
        }
    }

    /// A connection ended (or stopped sending) before its fault's offset.
    func lapsed(_ index: Int) {
        state.withLock { s in
            guard s.outcomes[index] == .pending else { return }
            s.outcomes[index] = .lapsed
            s.pending -= 1
        }
    }

    /// A connection's sockets are closed.
    func finished(_ index: Int) {
        lapsed(index)
        state.withLock { $0.active -= 1 }
    }
}
