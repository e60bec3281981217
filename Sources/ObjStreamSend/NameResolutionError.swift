#if canImport(Glibc)
import Glibc
#endif

/// A temporary failure to resolve a host name (`EAI_AGAIN`: the name servers did not
/// answer): retried within the retry window like a refused connect. A name that does not
/// resolve at all is a ``SendError`` with ``SendError/Code/invalidURL`` instead.
struct NameResolutionError: Error, Sendable, CustomStringConvertible {
    /// The host name.
    var host: String
    /// The `getaddrinfo` result (`EAI_AGAIN`).
    var code: Int32

    /// Creates the error.
    /// - Parameters:
    ///   - host: The host name.
    ///   - code: What `getaddrinfo` returned.
    init(host: String, code: Int32) {
        self.host = host
        self.code = code
    }

    /// `getaddrinfo node-b: Temporary failure in name resolution`.
    /// The corresponding C function is `gai_strerror`.
    var description: String { "getaddrinfo \(host): \(String(cString: gai_strerror(code)))" }
}
