#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization

/// A loopback HTTP/1.1 server written on raw sockets for the sender's tests: it reads
/// stream requests, decodes the chunked body with the wire decoder, records what it
/// saw (request head, body bytes, objects, byte counts), and answers 200 or a set status.
/// By default it closes each connection after its answer, saying so (`Connection: close`);
/// with `keepAlive` it serves request after request on a connection, and `ending` says
/// what it does after each answer.
final class RawStreamServer: @unchecked Sendable {
    /// What the server does after answering a request on a kept-alive connection.
    enum Ending: Sendable {
        /// Waits for the next request.
        case keepOpen
        /// Answers with `Connection: close` and closes.
        case announceClose
        /// Closes without saying so in the answer (a receiver that goes away between requests).
        case closeSilently
        /// Resets the connection (`SO_LINGER` 0) right after the answer.
        case reset
    }

    /// One object as the server decoded it.
    struct ReceivedObject: Sendable {
        var header: ObjectHeader
        var size: Int
        /// FNV-1a-64 of the data, when the server computes digests.
        var digest: UInt64
    }

    /// One request as the server saw it.
    struct Request: Sendable {
        var requestLine = ""
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var objects: [ReceivedObject] = []
        var dataBytes = 0
        var sawFin = false
        var complete = false
        var error: String?
        /// The connection it came on, counted from 1.
        var connection = 0

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    let port: UInt16
    /// `127.0.0.1`, or `[::1]` for an IPv6 server.
    let host: String
    private let listenFD: Int32
    private let state = Mutex<
        (requests: [Int: Request], next: Int, connections: Int, ended: Int, fds: [Int32], closed: Bool)
    >(([:], 0, 0, 0, [], false))
    private let recordBody: Bool
    private let digests: Bool
    let answerStatus: Int
    /// The body of a `200` answer (empty, as the reference's receiver sends).
    let answerBody: String
    /// Whether accepted connections are held unread (for ``resetHeldConnections()``), and
    /// the ones held.
    private let holding: Mutex<(on: Bool, held: [Int32])>
    private let keepAlive: Bool
    /// The `200` body for a request (its receipt), when not `answerBody`.
    private let answer: (@Sendable (Request) -> String)?
    /// What to do after answering the request with this number (from 1, over the server's life).
    private let ending: @Sendable (Int) -> Ending

    /// Starts listening on a loopback port.
    /// - Parameters:
    ///   - port: The port (0: any free one).
    ///   - recordBody: Whether to keep the chunk-decoded body bytes.
    ///   - digests: Whether to hash each object's data.
    ///   - answerStatus: The status to answer clean requests with.
    ///   - answerBody: The body of a `200` answer.
    ///   - ipv6: Whether to listen on `[::1]`.
    ///   - holdingConnections: Whether to accept connections and leave them unread until
    ///     ``resetHeldConnections()`` (a receiver whose listener was closing) or
    ///     ``serveHeldConnections()``.
    ///   - keepAlive: Whether a connection carries request after request (HTTP/1.1 keep-alive).
    ///   - answer: The body of a `200` answer to a request, computed from what it carried.
    ///   - ending: With `keepAlive`: what to do after answering the request with a number.
    init(
        port: UInt16 = 0, recordBody: Bool = false, digests: Bool = false, answerStatus: Int = 200,
        answerBody: String = "", ipv6: Bool = false, holdingConnections: Bool = false, keepAlive: Bool = false,
        answer: (@Sendable (Request) -> String)? = nil, ending: @escaping @Sendable (Int) -> Ending = { _ in .keepOpen }
    ) throws {
        self.answerBody = answerBody
        self.keepAlive = keepAlive
        self.answer = answer
        self.ending = ending
        self.holding = Mutex((holdingConnections, []))
        self.recordBody = recordBody
        self.digests = digests
        self.answerStatus = answerStatus
        self.host = ipv6 ? "[::1]" : "127.0.0.1"
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound: UInt16 = 0
        let rc: Int32
        if ipv6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_addr = in6addr_loopback
            addr.sin6_port = port.bigEndian
            rc = Self.bindAndListen(fd, &addr)
            bound = UInt16(bigEndian: addr.sin6_port)
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = port.bigEndian
            rc = Self.bindAndListen(fd, &addr)
            bound = UInt16(bigEndian: addr.sin_port)
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.listenFD = fd
        self.port = bound
        let t = Thread { [self] in acceptLoop() }
        t.start()
    }

    /// `http://127.0.0.1:port/v1/objstream/<name>`.
    func url(_ name: String) -> String { "http://\(host):\(port)/v1/objstream/\(name)" }

    /// Every request so far, in arrival order.
    var requests: [Request] {
        state.withLock { s in s.requests.keys.sorted().map { s.requests[$0]! } }
    }

    /// How many connections the server accepted and served.
    var connectionCount: Int { state.withLock { $0.connections } }

    /// How many served connections the server has closed (or reset).
    var endedConnectionCount: Int { state.withLock { $0.ended } }

    /// How many connections are held unread (see `holdingConnections`).
    var heldCount: Int { holding.withLock { $0.held.count } }

    /// How many bytes wait unread in the held connections' receive buffers: more than 0 once
    /// a sender's first write arrived.
    ///
    /// The corresponding C function is `ioctl` (`FIONREAD`).
    var heldUnreadBytes: Int {
        holding.withLock { h in
            h.held.reduce(0) { sum, fd in
                var n: Int32 = 0
                return ioctl(fd, UInt(FIONREAD), &n) == 0 ? sum + Int(n) : sum
            }
        }
    }

    /// Resets every held connection (`SO_LINGER` 0, close: the peer gets a reset, no byte read)
    /// and serves the connections that come from now on.
    /// - Returns: How many were reset.
    @discardableResult
    func resetHeldConnections() -> Int {
        holding.withLock { h in
            h.on = false
            for fd in h.held {
                var lin = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
                close(fd)
            }
            defer { h.held.removeAll() }
            return h.held.count
        }
    }

    /// Starts reading every held connection, as any other, and serves the connections that
    /// come from now on (a receiver that was slow to start reading).
    /// - Returns: How many were held.
    @discardableResult
    func serveHeldConnections() -> Int {
        let held = holding.withLock { h in
            h.on = false
            defer { h.held.removeAll() }
            return h.held
        }
        for fd in held { _ = startServing(fd) }
        return held.count
    }

    /// All objects of all requests, in arrival order.
    var objects: [ReceivedObject] { requests.flatMap(\.objects) }

    /// Stops listening and cuts every connection (a receiver that died).
    ///
    /// The connections are cut under the lock that their threads close them under, so that
    /// no descriptor is shut down after it was closed (its number may be another test's by then).
    func kill() {
        state.withLock { s in
            s.closed = true
            for fd in s.fds {
                var lin = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
                shutdown(fd, Int32(SHUT_RDWR))
            }
        }
        // The accept thread closes the listening socket when its accept fails: closed here, the
        // number could be reused before that thread calls accept on it again.
        shutdown(listenFD, Int32(SHUT_RDWR))
        resetHeldConnections()
    }

    /// Binds `fd` to `address`, listens, and reads back the bound address (its port).
    ///
    /// The corresponding C functions are `bind`, `listen` and `getsockname`.
    private static func bindAndListen<Address>(_ fd: Int32, _ address: inout Address) -> Int32 {
        var len = socklen_t(MemoryLayout<Address>.size)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, len) == 0, listen(fd, 128) == 0 else { return -1 }
                return getsockname(fd, p, &len)
            }
        }
    }

    /// Waits until `condition` holds for the requests, polling.
    func waitFor(timeout: Duration = .seconds(60), _ condition: ([Request]) -> Bool) -> Bool {
        eventually(timeout: timeout) { condition(requests) }
    }

    /// `accept4`, which Glibc's module does not export: an accepted socket is close-on-exec from
    /// the start, so no process that another test starts meanwhile inherits it (and keeps it
    /// open, or unreset, after the server closed it).
    ///
    /// The corresponding C function is `accept4`.
    private static let accept4:
        @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32 = {
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "accept4") else { fatalError("accept4 not found in libc") }
            return unsafeBitCast(symbol, to: (@convention(c) (
                Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32).self)
        }()

    private func acceptLoop() {
        while true {
            let fd = Self.accept4(listenFD, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if fd < 0 {
                if errno == EINTR { continue }
                close(listenFD)
                return
            }
            let held = holding.withLock { h in
                if h.on { h.held.append(fd) }
                return h.on
            }
            if held { continue }
            guard startServing(fd) else {
                close(listenFD)
                return
            }
        }
    }

    /// Registers an accepted connection and serves it on a thread of its own.
    /// - Returns: false (the connection closed) when the server was killed.
    private func startServing(_ fd: Int32) -> Bool {
        let id: (request: Int, connection: Int)? = state.withLock { s in
            if s.closed { return nil }
            s.fds.append(fd)
            s.next += 1
            s.connections += 1
            s.requests[s.next] = Request(connection: s.connections)
            return (s.next, s.connections)
        }
        guard let id else {
            close(fd)
            return false
        }
        let t = Thread { [self] in serve(fd, first: id.request, connection: id.connection) }
        t.start()
        return true
    }

    private func update(_ id: Int, _ body: (inout Request) -> Void) {
        state.withLock { body(&$0.requests[id]!) }
    }

    /// Serves a connection: one request, or with `keepAlive` request after request.
    private func serve(_ fd: Int32, first: Int, connection: Int) {
        var ending = Ending.announceClose
        defer {
            state.withLock { s in
                s.fds.removeAll { $0 == fd }
                if ending == .reset {
                    var lin = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
                }
                close(fd)
                s.ended += 1
            }
        }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var carry: [UInt8] = []
        var id = first
        while true {
            guard serveRequest(fd, id, &carry, &buffer, ending: &ending), keepAlive, ending == .keepOpen else { return }
            let next: Int? = state.withLock { s in
                if s.closed { return nil }
                s.next += 1
                s.requests[s.next] = Request(connection: connection)
                return s.next
            }
            guard let next else { return }
            id = next
        }
    }

    /// Reads and answers one request; `carry` holds bytes read past the previous one.
    /// - Returns: Whether it was answered.
    private func serveRequest(
        _ fd: Int32, _ id: Int, _ carry: inout [UInt8], _ buffer: inout [UInt8], ending: inout Ending
    ) -> Bool {
        var pending = carry
        carry = []
        // Request head.
        var headEnd = pending.firstRange(of: [13, 10, 13, 10])?.upperBound
        while headEnd == nil {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                if keepAlive, pending.isEmpty, isLaterRequest(id) {
                    // The client closed a kept connection between requests: no request.
                    state.withLock { _ = $0.requests.removeValue(forKey: id) }
                    return false
                }
                update(id) { $0.error = "closed in head" }
                return false
            }
            pending += buffer[0..<n]
            headEnd = pending.firstRange(of: [13, 10, 13, 10])?.upperBound
        }
        let headText = String(decoding: pending[..<(headEnd! - 4)], as: UTF8.self)
        let lines = headText.components(separatedBy: "\r\n")
        let headers: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let c = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<c]), line[line.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        update(id) {
            $0.requestLine = lines[0]
            $0.headers = headers
        }
        let compressed = headers.contains { $0.0.lowercased() == "ais-compress" && $0.1 == "lz4" }
        let decoder: BodyDecoder
        do {
            decoder = try BodyDecoder(compressed: compressed)
        } catch {
            update(id) { $0.error = "\(error)" }
            return false
        }
        var current: ReceivedObject?
        var objects: [ReceivedObject] = []
        var dataBytes = 0
        var body: [UInt8] = []
        var sawFin = false
        var failure: String?
        let digests = self.digests
        let recordBody = self.recordBody
        func flushStats() {
            let batch = objects
            objects.removeAll()
            let b = body
            body.removeAll()
            let bytes = dataBytes
            dataBytes = 0
            let fin = sawFin
            update(id) {
                $0.objects += batch
                $0.body += b
                $0.dataBytes += bytes
                $0.sawFin = $0.sawFin || fin
            }
        }
        func feed(_ data: UnsafeRawBufferPointer) {
            guard failure == nil, !data.isEmpty else { return }
            if recordBody { body += data }
            do {
                try decoder.feed(data) { (event: StreamDecoder.Event) in
                    switch event {
                    case .header: current = ReceivedObject(header: decoder.frames.header, size: 0, digest: 0xcbf2_9ce4_8422_2325)
                    case .data(let d):
                        current!.size += d.count
                        dataBytes += d.count
                        if digests {
                            var h = current!.digest
                            for b in d {
                                h ^= UInt64(b)
                                h = h &* 0x0000_0100_0000_01b3
                            }
                            current!.digest = h
                        }
                    case .objectEnd:
                        objects.append(current!)
                        current = nil
                    case .marker(let op): if op == .fin { sawFin = true }
                    }
                }
            } catch {
                failure = "\(error)"
            }
        }
        // Chunked body.
        var chunker = ChunkParser()
        var input = Array(pending[headEnd!...])
        var done = false
        while !done {
            input.withUnsafeBytes { raw in
                done = chunker.consume(raw, feed)
            }
            flushStats()
            if done { carry = Array(input[chunker.consumed...]) }
            if done || chunker.failed { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                update(id) { $0.error = failure ?? "connection ended inside the body" }
                return false
            }
            input = Array(buffer[0..<n])
        }
        if chunker.failed { failure = failure ?? "bad chunk framing" }
        if failure == nil {
            do { try decoder.finish() } catch { failure = "\(error)" }
        }
        let status = failure == nil ? answerStatus : 400
        let seen = state.withLock { $0.requests[id]! }
        let message =
            failure ?? (status == 200 ? answer.map { $0(seen) } ?? answerBody : "{\"message\":\"refused by test server\"}")
        ending = keepAlive && status == 200 ? self.ending(id) : .announceClose
        let close = ending == .announceClose ? "Connection: close\r\n" : ""
        let response = "HTTP/1.1 \(status) X\r\n\(close)Content-Length: \(message.utf8.count)\r\n\r\n\(message)"
        _ = response.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        update(id) {
            $0.complete = true
            $0.error = failure
        }
        return true
    }

    /// Whether a request record is not the first of its connection.
    private func isLaterRequest(_ id: Int) -> Bool {
        state.withLock { s in
            guard let connection = s.requests[id]?.connection else { return false }
            return s.requests.contains { $0.key < id && $0.value.connection == connection }
        }
    }
}
