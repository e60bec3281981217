/// Bytes written as hexadecimal digits on the command line (`ff00`, `C3A9`): how `objstream frame`
/// takes header strings that are not UTF-8.
enum HexBytes {
    /// Parses hexadecimal digits, two per byte.
    /// - Parameter text: An even number of digits `0-9`, `a-f`, `A-F`.
    /// - Returns: The bytes, or nil when `text` is not an even number of hex digits.
    static func parse(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let high = value(of: digits[i]), let low = value(of: digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    /// The value of one hex digit.
    /// - Parameter digit: An ASCII character.
    /// - Returns: 0...15, or nil when `digit` is not a hex digit.
    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
