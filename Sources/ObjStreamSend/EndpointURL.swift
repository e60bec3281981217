/// A parsed `http://host:port/path` or `https://host:port/path` destination.
public struct EndpointURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the stream runs over TLS (`https://`): see ``TLSSession``.
    public var isTLS: Bool
    /// The host: a name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    /// The TCP port (80, or 443 for `https://`, when the URL has none).
    public var port: UInt16
    /// The request path, starting with `/`.
    public var path: String

    /// Parses a URL.
    /// - Parameter string: `http://host[:port][/path]` or `https://...`; `[::1]` for IPv6 literals. An
    ///   empty path becomes `/v1/objstream`. The host (the `Host` header) and the path (the
    ///   request line, the endpoint name) must not contain control bytes; the path no spaces.
    /// - Throws: ``SendError`` with ``SendError/Code/invalidURL`` saying what is wrong.
    public init(_ string: String) throws(SendError) {
        func fail(_ why: String) -> SendError {
            SendError(code: .invalidURL, message: "invalid URL \(string.debugDescription): \(why)")
        }
        let isTLS = string.hasPrefix("https://")
        guard isTLS || string.hasPrefix("http://") else { throw fail("only http:// and https:// are supported") }
        let rest = string.dropFirst(isTLS ? "https://".count : "http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = String(rest[slash...])
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unclosed [ in host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected \(after) after ]") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw fail("no host") }
        if let problem = String(host).controlByteProblem(field: "host", goesInto: "the Host header") {
            throw fail(problem)
        }
        if let problem = path.controlByteProblem(field: "path", goesInto: "the request line") { throw fail(problem) }
        if path.contains(" ") {
            throw fail("path \(path.debugDescription) contains a space, which would end the request line's target")
        }
        var port: UInt16 = isTLS ? 443 : 80
        if let portText {
            guard let p = UInt16(portText), p > 0 else { throw fail("port \"\(portText)\" is not 1..65535") }
            port = p
        }
        self.isTLS = isTLS
        self.host = String(host)
        self.port = port
        self.path = path.isEmpty || path == "/" ? "/v1/objstream" : path
    }

    /// `host:port`, with brackets around IPv6 addresses: what errors name.
    public var address: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The endpoint name: the last segment of the path (`trname`).
    public var endpointName: String {
        let segments = path.split(separator: "/")
        guard let last = segments.last, segments.count > 2 || !path.hasPrefix("/v1/objstream") else { return "" }
        return String(last)
    }

    public var description: String { "\(isTLS ? "https" : "http")://\(address)\(path)" }
}
