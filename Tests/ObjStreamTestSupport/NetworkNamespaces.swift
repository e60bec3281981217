import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Network namespaces that a test creates (`ip netns`, Debian package `iproute2`): a hub
/// (the first) joined to each other namespace by a veth pair of its own, every name unique to
/// the run, removed by ``remove()`` (call it in a `defer`, so that a failed test removes them too).
///
/// Addresses: the link to namespace `i` (1-based, `i >= 2`) is `10.77.i.0/24`, the hub's end
/// `10.77.i.1`, namespace `i`'s end `10.77.i.i`. The addresses exist only inside the
/// namespaces, so runs in parallel do not collide.
public final class NetworkNamespaces: Sendable {
    /// Why namespaces could not be made.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// The namespaces' names, the hub first.
    public let names: [String]
    private let ip: String
    private let tag: String

    /// Creates `count` namespaces, the first joined to each other one by a veth pair, every
    /// loopback and link up.
    /// - Parameter count: How many namespaces (at least 2).
    /// - Throws: ``Failure`` when not root (network namespaces need it; CI runs as root),
    ///   ``RequiredTool/Missing`` without `ip`, ``Failure`` naming the `ip` command that failed
    ///   (what was made is removed then).
    public init(count: Int) throws {
        guard getuid() == 0 else {
            throw Failure(
                description: "this test creates network namespaces and veth links, which needs root (uid 0, as in CI); "
                    + "run it as root (uid is \(getuid()))")
        }
        ip = try RequiredTool.path("ip", package: "iproute2")
        let tag = String(format: "%05x%03x", getpid() & 0xFFFFF, Int.random(in: 0..<0x1000))
        self.tag = tag
        names = (1...count).map { "osb\(tag)n\($0)" }
        do {
            try build()
        } catch {
            remove()
            throw error
        }
    }

    /// The veth end in namespace `i` of the link between the hub and namespace `i` (`i >= 2`).
    private func linkEnd(_ i: Int) -> String { "o\(tag)b\(i)" }

    /// The hub's end of its link to namespace `i`.
    private func hubEnd(_ i: Int) -> String { "o\(tag)a\(i)" }

    private func build() throws {
        for name in names { try run(["netns", "add", name]) }
        for name in names { try run(["-n", name, "link", "set", "lo", "up"]) }
        for i in 2...names.count {
            try run(["link", "add", hubEnd(i), "type", "veth", "peer", "name", linkEnd(i)])
            try run(["link", "set", hubEnd(i), "netns", names[0]])
            try run(["link", "set", linkEnd(i), "netns", names[i - 1]])
            try run(["-n", names[0], "addr", "add", "10.77.\(i).1/24", "dev", hubEnd(i)])
            try run(["-n", names[i - 1], "addr", "add", "10.77.\(i).\(i)/24", "dev", linkEnd(i)])
            try run(["-n", names[0], "link", "set", hubEnd(i), "up"])
            try run(["-n", names[i - 1], "link", "set", linkEnd(i), "up"])
        }
    }

    /// The address of namespace `i` (1-based): the hub's on its link to namespace 2, the others' on their link.
    /// - Parameter i: The namespace.
    /// - Returns: An IPv4 address.
    public func address(_ i: Int) -> String { i == 1 ? "10.77.2.1" : "10.77.\(i).\(i)" }

    /// The command that runs a program in namespace `i` (1-based).
    /// - Parameter i: The namespace.
    /// - Returns: `ip netns exec NAME`, to put before the program and its arguments.
    public func launcher(_ i: Int) -> [String] { [ip, "netns", "exec", names[i - 1]] }

    /// Limits the hub's sending on every link to `rate` (a `tc` token bucket), so that a
    /// transfer lasts at least its size over the rate, however fast the machine.
    /// - Parameter rate: Like `16mbit`.
    public func limitHubRate(_ rate: String) throws {
        for i in 2...names.count {
            try run([
                "netns", "exec", names[0], "tc", "qdisc", "add", "dev", hubEnd(i), "root", "tbf", "rate", rate, "burst",
                "32kbit", "latency", "400ms",
            ])
        }
    }

    /// Cuts the link between the hub and namespace `i` (`ip link set ... down` at namespace `i`'s end).
    /// - Parameter i: The namespace (`>= 2`).
    public func cutLink(to i: Int) throws {
        try run(["-n", names[i - 1], "link", "set", linkEnd(i), "down"])
    }

    /// Removes every namespace (and so its links); what is already gone is skipped.
    public func remove() {
        for name in names { _ = try? ChildProcess.run(ip, ["netns", "delete", name]) }
    }

    private func run(_ arguments: [String]) throws {
        let outcome = try ChildProcess.run(ip, arguments)
        guard outcome.status == 0 else {
            throw Failure(description: "ip \(arguments.joined(separator: " ")) failed (\(outcome.status)): \(outcome.stderr)")
        }
    }
}
