/// What ``FaultProxy`` does to a connection when its client has sent `offset` bytes and
/// the next one arrives (so a fault needs a byte at index `offset`).
public enum Fault: Sendable, CaseIterable {
    /// Forwards the first `offset` bytes, then closes both sides cleanly: each sees EOF (FIN).
    case cut
    /// Forwards the first `offset` bytes, then resets the client (`SO_LINGER` 0, then close:
    /// an RST, so it sees `ECONNRESET`) and closes the upstream (EOF).
    case reset
    /// Forwards the first `offset` bytes, then nothing more in either direction and reads no
    /// more; holds both sockets open until the client gives up (closes, or shuts down its
    /// writing), then closes both. (A client's FIN queued behind bytes that no longer fit
    /// the proxy's receive buffer never arrives: such a connection is held until ``FaultProxy/close()``.)
    case stall
    /// Forwards the first `offset` bytes, then closes the upstream (EOF) and reads and
    /// discards what the client sends, sending it nothing, until it closes.
    case truncate
    /// Flips one bit (xor 0x01) of the byte at index `offset` on its way to the upstream,
    /// and forwards on faithfully.
    case flip
}
