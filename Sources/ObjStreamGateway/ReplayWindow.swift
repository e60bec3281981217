/// The anti-replay window of one sender (as IPsec's, RFC 4303 section 3.4.3): the highest
/// nonce accepted, and a bitmap of which of the ``size`` nonces up to it were accepted.
/// A nonce above the highest is new; one within the window is new unless its bit is set;
/// one below the window is refused as stale. So requests opened concurrently that arrive
/// out of order pass, as long as fewer than ``size`` nonces separate them.
struct ReplayWindow: Sendable, Equatable {
    /// How many nonces the window spans.
    static let size = 4096
    private static let words = size / 64

    /// What a nonce is to the window.
    enum Verdict: Equatable {
        /// Never accepted, within or above the window.
        case fresh
        /// Accepted before.
        case replayed
        /// Below the window: it cannot be told whether it was accepted.
        case stale
    }

    /// The highest nonce accepted (or the floor a restart set).
    private(set) var highest: UInt64
    /// Bit `n % size` is set when nonce `n` (within the window) was accepted.
    private var bits: [UInt64]

    /// A window that nothing passed yet: every nonce is fresh.
    init() {
        highest = 0
        bits = [UInt64](repeating: 0, count: Self.words)
    }

    /// A window that starts at a floor: every nonce up to it counts as accepted (after a
    /// restart, from the persisted highest nonce).
    /// - Parameter floor: The highest nonce that may have been accepted.
    init(floor: UInt64) {
        highest = floor
        bits = [UInt64](repeating: ~0, count: Self.words)
    }

    /// Judges a nonce without taking it.
    /// - Parameter nonce: The request's nonce.
    /// - Returns: The verdict.
    func verdict(_ nonce: UInt64) -> Verdict {
        if nonce > highest { return .fresh }
        if highest - nonce >= UInt64(Self.size) { return .stale }
        return isSet(nonce) ? .replayed : .fresh
    }

    /// Takes a nonce ``verdict(_:)`` found fresh: slides the window up to it when it is the highest.
    /// - Parameter nonce: The nonce.
    mutating func accept(_ nonce: UInt64) {
        if nonce > highest {
            let shift = nonce - highest
            if shift >= UInt64(Self.size) {
                for i in bits.indices { bits[i] = 0 }
            } else {
                // Clear the bits of the nonces the window slides over, highest+1 ... nonce.
                var n = highest &+ 1
                var left = shift
                while left > 0 {
                    let bit = Int(n % UInt64(Self.size))
                    if bit % 64 == 0 && left >= 64 {
                        bits[bit / 64] = 0
                        n &+= 64
                        left -= 64
                    } else {
                        bits[bit / 64] &= ~(1 << UInt64(bit % 64))
                        n &+= 1
                        left -= 1
                    }
                }
            }
            highest = nonce
        }
        let bit = Int(nonce % UInt64(Self.size))
        bits[bit / 64] |= 1 << UInt64(bit % 64)
    }

    private func isSet(_ nonce: UInt64) -> Bool {
        let bit = Int(nonce % UInt64(Self.size))
        return bits[bit / 64] & (1 << UInt64(bit % 64)) != 0
    }
}
