/// A TCP address to listen on: a host (IPv4, IPv6 or name) and a port (0: any free port).
public struct ListenAddress: Sendable, Hashable, LosslessStringConvertible {
    /// The host, without brackets for IPv6 (`127.0.0.1`, `::1`, `0.0.0.0`, `localhost`).
    public var host: String
    /// The port; 0 asks the kernel for a free one.
    public var port: UInt16

    /// Creates an address.
    /// - Parameters:
    ///   - host: The host, IPv6 without brackets.
    ///   - port: The port.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`.
    /// - Parameter description: The text, like `127.0.0.1:9080` or `[::1]:9080`.
    /// - Returns: nil when the host is empty or malformed or the port is not in 0..65535.
    public init?(_ description: String) {
        let host: Substring
        let portText: Substring
        if description.hasPrefix("[") {
            guard let close = description.firstIndex(of: "]") else { return nil }
            host = description[description.index(after: description.startIndex)..<close]
            let rest = description[description.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard let colon = description.lastIndex(of: ":") else { return nil }
            host = description[..<colon]
            portText = description[description.index(after: colon)...]
            guard Self.isHostName(host) else { return nil }
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            portText.count <= 5, let port = UInt16(portText)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Letters, digits, dots and hyphens: a name or a dotted IPv4 address.
    private static func isHostName(_ host: Substring) -> Bool {
        !host.isEmpty && host.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "-"
        } && !host.hasPrefix("-") && !host.hasPrefix(".")
    }
}
