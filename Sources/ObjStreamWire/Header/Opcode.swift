/// The operation code of an object header: what the receiver is to do with it.
///
/// Values at or above ``done`` are *control* objects, not counted as data;
/// values at or above ``fin`` are reserved for the transport itself.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    /// Creates an opcode from its wire value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A plain data object (the default).
    public static let data = Opcode(rawValue: 0)
    /// Application sentinel: done.
    public static let done = Opcode(rawValue: 27182)
    /// Application sentinel: abort.
    public static let abort = Opcode(rawValue: 27183)
    /// Application sentinel: request.
    public static let request = Opcode(rawValue: 27184)
    /// Application sentinel: response.
    public static let response = Opcode(rawValue: 27185)
    /// Data mover: reconnect.
    public static let reconnect = Opcode(rawValue: 46351)
    /// Reserved: the end-of-stream marker sent by `fin()`.
    public static let fin = Opcode(rawValue: 65535 - 16)
    /// Reserved: the idle tick that ends a request at a frame boundary.
    public static let idleTick = Opcode(rawValue: 65535 - 15)

    /// Whether user code is forbidden to send this opcode (`ReservedOpcode`).
    public var isReserved: Bool { rawValue >= Opcode.fin.rawValue }
    /// Whether an object with this opcode is a control object, not data.
    public var isControl: Bool { rawValue >= Opcode.done.rawValue }

    public var description: String { String(rawValue) }
}
