import Foundation
import ObjStreamTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fault-injection proxy: faithful forwarding, each fault at its offset, and the
/// seeded plan's rules. No verdict depends on timing: every wait is for a condition.
@Suite struct FaultProxyTests {
    static let offset = 10_000

    /// A proxy that does one fault on its first connection.
    static func proxy(_ kind: Fault, at offset: Int = offset, to upstream: CollectingUpstream) throws -> FaultProxy {
        try FaultProxy(upstreamPort: upstream.port, plan: FaultPlan([0: (kind, offset)]))
    }

    /// Where two byte strings differ (their lengths, or the first byte that differs), so a
    /// failure names it instead of printing megabytes; nil when they are equal.
    static func difference(_ got: [UInt8], _ expected: [UInt8]) -> String? {
        if got == expected { return nil }
        if got.count != expected.count { return "\(got.count) bytes, expected \(expected.count)" }
        guard let i = got.indices.first(where: { got[$0] != expected[$0] }) else { return nil }
        return "byte \(i) is \(got[i]), expected \(expected[i])"
    }

    @Test func forwardsEightMebibytesEachWayFaithfully() throws {
        let request = PayloadPattern.bytes(for: "request", size: 8 << 20)
        let reply = PayloadPattern.bytes(for: "reply", size: 8 << 20)
        let upstream = try CollectingUpstream(reply: reply)
        defer { upstream.close() }
        let proxy = try FaultProxy(upstreamPort: upstream.port, plan: .faithful)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        // Both directions at once: a client that sent everything before reading would fill the buffers.
        Thread.detachNewThread {
            client.send(request)
            client.shutdownWriting()
        }
        let (received, end) = client.receiveToEnd()
        #expect(end == .eof)
        #expect(Self.difference(received, reply) == nil)
        #expect(eventually { upstream.connections.first?.ended == true })
        let upstreamSide = try #require(upstream.connections.first)
        #expect(Self.difference(upstreamSide.received, request) == nil)
        #expect(upstreamSide.error == 0)
        #expect(client.firstError == nil)
        #expect(eventually { proxy.activeConnections == 0 })
        #expect(proxy.connections == 1)
        #expect(proxy.injected.isEmpty)
    }

    @Test func cutForwardsExactlyTheOffsetThenGivesBothSidesEOF() throws {
        let upstream = try CollectingUpstream()
        defer { upstream.close() }
        let proxy = try Self.proxy(.cut, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        let request = PayloadPattern.bytes(for: "cut", size: 3 * Self.offset)
        client.send(request)
        let (received, end) = client.receiveToEnd()
        #expect(received.isEmpty)
        #expect(end == .eof)
        // Writes after the cut may fail (EPIPE), but the client is never reset.
        #expect(client.firstError != ECONNRESET)
        #expect(eventually { upstream.connections.first?.ended == true })
        let upstreamSide = try #require(upstream.connections.first)
        #expect(Self.difference(upstreamSide.received, Array(request[..<Self.offset])) == nil)
        #expect(upstreamSide.error == 0)
        #expect(proxy.injected == [InjectedFault(connection: 0, kind: .cut, offset: Self.offset)])
        #expect(eventually { proxy.activeConnections == 0 })
    }

    @Test func resetForwardsExactlyTheOffsetThenResetsTheClientAndClosesTheUpstream() throws {
        let upstream = try CollectingUpstream()
        defer { upstream.close() }
        let proxy = try Self.proxy(.reset, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        let request = PayloadPattern.bytes(for: "reset", size: 3 * Self.offset)
        client.send(request)
        let (received, _) = client.receiveToEnd()
        #expect(received.isEmpty)
        #expect(client.firstError == ECONNRESET)
        #expect(eventually { upstream.connections.first?.ended == true })
        let upstreamSide = try #require(upstream.connections.first)
        #expect(Self.difference(upstreamSide.received, Array(request[..<Self.offset])) == nil)
        #expect(upstreamSide.error == 0)
        #expect(proxy.injected == [InjectedFault(connection: 0, kind: .reset, offset: Self.offset)])
        #expect(eventually { proxy.activeConnections == 0 })
    }

    @Test func stallForwardsExactlyTheOffsetThenNothingEitherWayUntilTheClientCloses() throws {
        // The upstream answers once it has the offset's bytes: that answer must not get through.
        let upstream = try CollectingUpstream(reply: Array("too late".utf8), replyAfter: Self.offset)
        defer { upstream.close() }
        let proxy = try Self.proxy(.stall, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        let request = PayloadPattern.bytes(for: "stall", size: 3 * Self.offset)
        #expect(client.send(request))
        #expect(eventually { !proxy.injected.isEmpty && upstream.connections.first?.replyFinished == true })
        #expect(proxy.injected == [InjectedFault(connection: 0, kind: .stall, offset: Self.offset)])
        let held = try #require(upstream.connections.first)
        #expect(Self.difference(held.received, Array(request[..<Self.offset])) == nil)
        #expect(!held.ended, "the proxy closed the upstream of a stalled connection")
        #expect(client.nothingToRead(), "bytes, EOF or an error reached the client of a stalled connection")
        #expect(proxy.activeConnections == 1)

        client.close()
        #expect(eventually { upstream.connections.first?.ended == true && proxy.activeConnections == 0 })
        #expect(upstream.connections.first?.received.count == Self.offset)
    }

    @Test func truncateForwardsExactlyTheOffsetClosesTheUpstreamAndDiscardsTheRest() throws {
        let upstream = try CollectingUpstream()
        defer { upstream.close() }
        let proxy = try Self.proxy(.truncate, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        let request = PayloadPattern.bytes(for: "truncate", size: 3 * Self.offset)
        #expect(client.send(request))
        #expect(eventually { upstream.connections.first?.ended == true })
        let upstreamSide = try #require(upstream.connections.first)
        #expect(Self.difference(upstreamSide.received, Array(request[..<Self.offset])) == nil)
        #expect(upstreamSide.error == 0)
        #expect(proxy.injected == [InjectedFault(connection: 0, kind: .truncate, offset: Self.offset)])
        #expect(client.nothingToRead(), "the client of a truncated connection got bytes, EOF or an error")
        // More than every socket buffer on the way: a proxy that stopped reading would block this.
        #expect(client.send([UInt8](repeating: 0x5A, count: 16 << 20)))
        #expect(client.nothingToRead())
        #expect(proxy.activeConnections == 1)

        client.close()
        #expect(eventually { proxy.activeConnections == 0 })
        #expect(upstream.connections.first?.received.count == Self.offset)
    }

    @Test func flipXorsTheByteAtTheOffsetAndForwardsTheRestFaithfully() throws {
        let reply = PayloadPattern.bytes(for: "flip reply", size: 100_000)
        let upstream = try CollectingUpstream(reply: reply)
        defer { upstream.close() }
        let offset = 12_345
        let proxy = try Self.proxy(.flip, at: offset, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        let request = PayloadPattern.bytes(for: "flip", size: 100_000)
        #expect(client.send(request))
        client.shutdownWriting()
        let (received, end) = client.receiveToEnd()
        #expect(end == .eof)
        #expect(Self.difference(received, reply) == nil)
        #expect(eventually { upstream.connections.first?.ended == true })
        var flipped = request
        flipped[offset] ^= 0x01
        let upstreamSide = try #require(upstream.connections.first)
        #expect(Self.difference(upstreamSide.received, flipped) == nil)
        #expect(proxy.injected == [InjectedFault(connection: 0, kind: .flip, offset: offset)])
    }

    @Test func aConnectionThatEndsAtOrBeforeTheOffsetIsNotFaulted() throws {
        let upstream = try CollectingUpstream()
        defer { upstream.close() }
        let proxy = try Self.proxy(.cut, to: upstream)
        defer { proxy.close() }
        let client = try ProxyClient(port: proxy.port)
        // Exactly `offset` bytes: the fault needs a byte at index `offset`.
        let request = PayloadPattern.bytes(for: "short", size: Self.offset)
        #expect(client.send(request))
        client.shutdownWriting()
        #expect(eventually { upstream.connections.first?.ended == true })
        #expect(Self.difference(upstream.connections.first?.received ?? [], request) == nil)
        #expect(client.receiveToEnd().end == .eof)
        #expect(eventually { proxy.activeConnections == 0 })
        #expect(proxy.injected.isEmpty)
    }

    // MARK: The seeded plan

    /// Opens `sizes.count` connections one after another; connection `n` sends `sizes[n]`
    /// bytes and closes once they arrived or its fault was done, and the next one opens
    /// only when the proxy has closed it (so no connection is pending while the next is numbered).
    static func connectInTurn(_ sizes: [Int], through proxy: FaultProxy, to upstream: CollectingUpstream) throws {
        for (n, size) in sizes.enumerated() {
            let client = try ProxyClient(port: proxy.port)
            client.send(PayloadPattern.bytes(for: "connection \(n)", size: size))
            let settled = eventually {
                let connections = upstream.connections
                return proxy.injected.contains { $0.connection == n }
                    || (connections.count > n && connections[n].received.count == size)
            }
            #expect(settled, "connection \(n) neither delivered nor faulted")
            client.close()
            #expect(eventually { proxy.activeConnections == 0 }, "connection \(n) still open")
        }
    }

    /// The faults the plan's rules give connections of these sizes when each ends before the next opens.
    static func expectedFaults(_ plan: FaultPlan, _ sizes: [Int]) -> [InjectedFault] {
        var faults: [InjectedFault] = []
        for (n, size) in sizes.enumerated() {
            guard let candidate = plan.candidate(forConnection: n), faults.count < plan.limit,
                faults.last?.connection != n - 1, size > candidate.offset
            else { continue }
            faults.append(InjectedFault(connection: n, kind: candidate.kind, offset: candidate.offset))
        }
        return faults
    }

    static let offsets = 1_000...20_000

    /// Forty connections long enough for any offset, but for one that is too short for its
    /// fault while the next one has a candidate too.
    static func sizes(for plan: FaultPlan) throws -> (sizes: [Int], short: Int) {
        let short = try #require(
            (1..<39).first { plan.candidate(forConnection: $0) != nil && plan.candidate(forConnection: $0 + 1) != nil })
        var sizes = [Int](repeating: offsets.upperBound + 1, count: 40)
        sizes[short] = offsets.lowerBound
        return (sizes, short)
    }

    @Test func theSeededPlanNeverFaultsTwoConnectionsInARowAndStopsAtItsCap() throws {
        let plan = FaultPlan(seed: 0x0FA1_7500, faults: 4, kinds: Fault.allCases, offsets: Self.offsets)
        let (sizes, short) = try Self.sizes(for: plan)
        let upstream = try CollectingUpstream()
        defer { upstream.close() }
        let proxy = try FaultProxy(upstreamPort: upstream.port, plan: plan)
        defer { proxy.close() }
        try Self.connectInTurn(sizes, through: proxy, to: upstream)

        let injected = proxy.injected
        #expect(proxy.connections == sizes.count)
        #expect(injected == Self.expectedFaults(plan, sizes))
        #expect(injected.count == 4, "\(injected)")
        #expect(zip(injected, injected.dropFirst()).allSatisfy { $1.connection > $0.connection + 1 }, "\(injected)")
        // The short connection's fault lapsed and did not count: the next connection got its own.
        #expect(!injected.contains { $0.connection == short })
        #expect(injected.contains { $0.connection == short + 1 }, "\(injected), short: \(short)")
        // After the cap, connections with candidates were forwarded faithfully.
        let last = try #require(injected.last).connection
        #expect(sizes.indices.contains { $0 > last + 1 && plan.candidate(forConnection: $0) != nil })
        for fault in injected {
            #expect(Self.offsets.contains(fault.offset))
            let forwarded = fault.kind == .flip ? sizes[fault.connection] : fault.offset
            #expect(upstream.connections[fault.connection].received.count == forwarded, "\(fault)")
        }
    }

    @Test func theSameSeedGivesTheSamePlanAndTheSameFaults() throws {
        let kinds: [Fault] = [.cut, .reset, .stall, .truncate]
        let plan = FaultPlan(seed: 99, faults: 3, kinds: kinds, offsets: Self.offsets)
        let again = FaultPlan(seed: 99, faults: 3, kinds: kinds, offsets: Self.offsets)
        let other = FaultPlan(seed: 100, faults: 3, kinds: kinds, offsets: Self.offsets)
        func candidates(_ plan: FaultPlan) -> [String] {
            (0..<200).map { n in plan.candidate(forConnection: n).map { "\($0.kind)@\($0.offset)" } ?? "-" }
        }
        #expect(candidates(plan) == candidates(again))
        #expect(candidates(plan) != candidates(other))

        let (sizes, _) = try Self.sizes(for: plan)
        var runs: [[InjectedFault]] = []
        for _ in 0..<2 {
            let upstream = try CollectingUpstream()
            defer { upstream.close() }
            let proxy = try FaultProxy(
                upstreamPort: upstream.port, seed: 99, faults: 3, kinds: kinds, offsets: Self.offsets)
            defer { proxy.close() }
            try Self.connectInTurn(sizes, through: proxy, to: upstream)
            runs.append(proxy.injected)
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0] == Self.expectedFaults(plan, sizes))
    }

    @Test func aSeededPlanOffersAboutHalfTheConnectionsAFaultOfItsKindsWithinItsOffsets() {
        let kinds: [Fault] = [.reset, .flip]
        let plan = FaultPlan(seed: 5, faults: 1, kinds: kinds, offsets: 10...19)
        let candidates = (0..<2_000).compactMap { plan.candidate(forConnection: $0) }
        #expect((900...1_100).contains(candidates.count), "\(candidates.count) of 2000")
        #expect(Set(candidates.map(\.kind)) == Set(kinds))
        #expect(Set(candidates.map(\.offset)) == Set(10...19))
        #expect(plan.limit == 1 && plan.sparesTheNextConnection)
        let listed = FaultPlan([3: (.cut, 7)])
        #expect(listed.candidate(forConnection: 3)?.kind == .cut && listed.candidate(forConnection: 3)?.offset == 7)
        #expect(listed.candidate(forConnection: 2) == nil)
        #expect(!listed.sparesTheNextConnection)
    }
}
