#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address with a port, as the kernel takes it (`sockaddr_in`, `sockaddr_in6`):
/// what a listener binds and what a connection comes from.
///
/// ``resolve(host:port:)`` is the one way a listen address becomes a socket address, for
/// `objstream config check` and for every listener (`listen`, `admin_listen`,
/// `send --metrics-listen`), so that what one accepts the other binds.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The `sockaddr_in` or `sockaddr_in6`, byte for byte.
    private var bytes: [UInt8]

    /// Takes a socket address from the kernel or a C library.
    /// - Parameters:
    ///   - address: A `sockaddr_in` or `sockaddr_in6`.
    ///   - length: Its length.
    /// - Returns: nil for any other family or a short length.
    public init?(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        let family = Int32(address.pointee.sa_family)
        let size =
            family == AF_INET
            ? MemoryLayout<sockaddr_in>.size : family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : 0
        guard size > 0, Int(length) >= size else { return nil }
        bytes = Array(UnsafeRawBufferPointer(start: address, count: size))
    }

    /// Copies a `sockaddr_in` or `sockaddr_in6`.
    private init(copying value: some Any) {
        bytes = withUnsafeBytes(of: value) { Array($0) }
    }

    /// Resolves a listen host and port, the same way for every listener and for `config check`.
    ///
    /// A host with a `:` is an IPv6 literal (no brackets, no zone); a host of digits and dots
    /// is a dotted-quad IPv4 literal (never the short forms `inet_aton` takes, like `127.1`);
    /// anything else is a host name, resolved now: its first IPv4 address, else its first IPv6
    /// address.
    ///
    /// The corresponding C functions are `inet_pton` and `getaddrinfo`.
    /// - Parameters:
    ///   - host: `127.0.0.1`, `::1`, `0.0.0.0`, `::`, `localhost`, `gw-1.example.org`, ...
    ///   - port: The port; 0 asks the kernel for a free one when bound.
    /// - Returns: The address.
    /// - Throws: ``SocketAddressError`` `badAddress` for a malformed literal, `unresolved` for
    ///   a name that does not resolve.
    public static func resolve(host: String, port: UInt16) throws(SocketAddressError) -> SocketAddress {
        if host.contains(":") {
            var inet6 = sockaddr_in6()
            inet6.sin6_family = sa_family_t(AF_INET6)
            inet6.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &inet6.sin6_addr) == 1 else {
                throw SocketAddressError(code: .badAddress, message: "'\(host)' is not an IPv6 address")
            }
            return SocketAddress(copying: inet6)
        }
        if !host.isEmpty, host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) {
            var inet = sockaddr_in()
            inet.sin_family = sa_family_t(AF_INET)
            inet.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &inet.sin_addr) == 1 else {
                throw SocketAddressError(code: .badAddress, message: "'\(host)' is not a dotted-quad IPv4 address")
            }
            return SocketAddress(copying: inet)
        }
        return try lookUp(name: host, port: port)
    }

    /// Resolves a host name with `getaddrinfo`: the first IPv4 address, else the first IPv6 one.
    private static func lookUp(name: String, port: UInt16) throws(SocketAddressError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = name.isEmpty ? EAI_NONAME : getaddrinfo(name, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard rc == 0 else {
            throw SocketAddressError(
                code: .unresolved, message: "host name '\(name)' does not resolve: \(String(cString: gai_strerror(rc)))")
        }
        var found: [SocketAddress] = []
        var entry = list
        while let ai = entry {
            entry = ai.pointee.ai_next
            if let addr = ai.pointee.ai_addr, let address = SocketAddress(addr, length: ai.pointee.ai_addrlen) {
                found.append(address.with(port: port))
            }
        }
        guard let chosen = found.first(where: { $0.family == .ipv4 }) ?? found.first else {
            throw SocketAddressError(code: .unresolved, message: "host name '\(name)' has no IPv4 or IPv6 address")
        }
        return chosen
    }

    /// The address family.
    public enum Family: Sendable, Hashable {
        /// `AF_INET`.
        case ipv4
        /// `AF_INET6`.
        case ipv6
    }

    /// IPv4 or IPv6.
    public var family: Family { bytes.count == MemoryLayout<sockaddr_in>.size ? .ipv4 : .ipv6 }

    /// The port.
    public var port: UInt16 {
        switch family {
        case .ipv4: UInt16(bigEndian: load(sockaddr_in.self).sin_port)
        case .ipv6: UInt16(bigEndian: load(sockaddr_in6.self).sin6_port)
        }
    }

    /// The same address with another port.
    /// - Parameter port: The port.
    /// - Returns: The address.
    public func with(port: UInt16) -> SocketAddress {
        switch family {
        case .ipv4:
            var inet = load(sockaddr_in.self)
            inet.sin_port = port.bigEndian
            return SocketAddress(copying: inet)
        case .ipv6:
            var inet6 = load(sockaddr_in6.self)
            inet6.sin6_port = port.bigEndian
            return SocketAddress(copying: inet6)
        }
    }

    /// Whether this is `0.0.0.0` or `::`, every address of the host.
    public var isUnspecified: Bool { addressBytes.allSatisfy { $0 == 0 } }

    /// The address without its port: 4 bytes for IPv4, 16 for IPv6. An IPv4-mapped IPv6
    /// address (`::ffff:a.b.c.d`, what a dual-stack listener sees of an IPv4 peer) gives its
    /// 4 IPv4 bytes, so that one peer is one peer whichever way it came.
    public var addressBytes: [UInt8] {
        switch family {
        case .ipv4:
            return withUnsafeBytes(of: load(sockaddr_in.self).sin_addr) { Array($0) }
        case .ipv6:
            let raw = withUnsafeBytes(of: load(sockaddr_in6.self).sin6_addr) { Array($0) }
            let mapped = raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xFF && raw[11] == 0xFF
            return mapped ? Array(raw[12..<16]) : raw
        }
    }

    /// Whether this is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    public var isIPv4Mapped: Bool { family == .ipv6 && addressBytes.count == 4 }

    /// The address in numeric text, without the port (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`).
    ///
    /// The corresponding C function is `inet_ntop`.
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written: UnsafePointer<CChar>? =
            switch family {
            case .ipv4:
                withUnsafeBytes(of: load(sockaddr_in.self).sin_addr) { inet_ntop(AF_INET, $0.baseAddress, &text, socklen_t(text.count)) }
            case .ipv6:
                withUnsafeBytes(of: load(sockaddr_in6.self).sin6_addr) { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
            }
        guard written != nil else { return "?" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `host:port`, with brackets around an IPv6 host (`[::1]:9080`).
    public var description: String {
        let host = self.host
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    /// - Parameter body: What to do with it (`bind`, `connect`).
    /// - Returns: What `body` returns.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }

    private func load<T>(_ type: T.Type) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }
}
