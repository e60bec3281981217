/// Splits a raw HTTP/1.1 request (as captured off a socket) into its head and its
/// chunk-decoded body, for checking captured bytes in tests.
public enum ChunkedBody {
    /// A parsed request.
    public struct Request: Sendable {
        /// The request line.
        public var requestLine: String
        /// Header lines as (name, value), in order.
        public var headers: [(String, String)]
        /// The body after chunked decoding.
        public var body: [UInt8]
        /// The sizes of the chunks, in order (the terminating 0 not included).
        public var chunkSizes: [Int]

        /// The value of a header, case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// What went wrong parsing a captured request.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses a raw request with a chunked body.
    /// - Parameter raw: The bytes read off the socket.
    /// - Returns: The request, with `rest` bytes after the terminating chunk ignored.
    public static func parse(_ raw: [UInt8]) throws -> Request {
        var pos = 0
        func line() throws -> String {
            var i = pos
            while i + 1 < raw.count, !(raw[i] == 13 && raw[i + 1] == 10) { i += 1 }
            guard i + 1 < raw.count else { throw ParseError(description: "no CRLF after offset \(pos)") }
            defer { pos = i + 2 }
            return String(decoding: raw[pos..<i], as: UTF8.self)
        }
        let requestLine = try line()
        var headers: [(String, String)] = []
        while true {
            let l = try line()
            if l.isEmpty { break }
            guard let colon = l.firstIndex(of: ":") else { throw ParseError(description: "bad header line \(l)") }
            headers.append((String(l[..<colon]), String(l[l.index(after: colon)...]).trimmingSpaces()))
        }
        var body: [UInt8] = []
        var sizes: [Int] = []
        while true {
            let sizeLine = try line()
            guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                throw ParseError(description: "bad chunk size line '\(sizeLine)'")
            }
            if size == 0 { break }
            guard pos + size + 2 <= raw.count else { throw ParseError(description: "chunk of \(size) runs past the end") }
            body += raw[pos..<(pos + size)]
            sizes.append(size)
            pos += size + 2
        }
        return Request(requestLine: requestLine, headers: headers, body: body, chunkSizes: sizes)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
