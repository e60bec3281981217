import Foundation
import ObjStreamWire

/// The receiver's answer to a stream request: status, headers and body.
public struct HTTPResponse: Sendable {
    /// The protocol of the status line (`HTTP/1.1`).
    var version = ""
    /// The status code.
    public var status: Int
    /// The reason phrase.
    public var reason: String
    /// Header lines as (name, value), in order.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]
    /// Whether the connection may carry the next request: HTTP/1.1, no `Connection: close`,
    /// and a body whose end the response said (`Content-Length` or chunked), not the
    /// connection's end. Set by ``SocketConnection/readResponse(timeout:)``.
    var keepsConnection = false

    /// The value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }

    /// The fields of a JSON error body that say what went wrong (`{"code":"...","error":"..."}`
    /// from objstream, `{"message":"..."}` from others).
    private struct ErrorBody: Decodable {
        var message: String?
        var error: String?
        var code: String?
    }

    /// The `code` string of a JSON error body (objstream's), else nil.
    public var code: String? { try? JSONDecoder().decode(ErrorBody.self, from: Data(body)).code }

    /// The receipt in the body: nil for an empty body (a receiver that sends none, as the
    /// reference's), else the decoded ``DeliveryReceipt``.
    /// - Throws: ``SendError`` (``SendError/Code/badResponse``) for a body that is not a receipt.
    func receipt() throws(SendError) -> DeliveryReceipt? {
        if body.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) { return nil }
        do {
            return try JSONDecoder().decode(DeliveryReceipt.self, from: Data(body))
        } catch {
            throw SendError(code: .badResponse, message: "the receipt is not valid: \(message)", cause: error)
        }
    }

    /// The count of objects taken that an error body carries, if it does.
    var objectsTaken: Int? { try? JSONDecoder().decode(DeliveryReceipt.self, from: Data(body)).objects }

    /// The receiver's message: the `message`/`error` string of a JSON body, else the body as text.
    public var message: String {
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)),
            let message = decoded.message ?? decoded.error
        {
            return message
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count > 512 ? String(text.prefix(512)) + "..." : text
    }

    /// Parses a response head (everything up to the empty line).
    /// - Parameter head: The bytes before `\r\n\r\n`.
    /// - Returns: The response with an empty body, or nil when the status line is not HTTP.
    static func parseHead(_ head: ArraySlice<UInt8>) -> HTTPResponse? {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).makeIterator()
        guard let statusLine = lines.next() else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        var headers: [(String, String)] = []
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        var response = HTTPResponse(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
        response.version = String(parts[0])
        return response
    }
}
