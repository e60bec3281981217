/// Sizes in configuration files and on command lines: `4096`, `"4096"`, `"512B"`, `"256KiB"`, `"4MiB"`, `"1GiB"`.
public enum ByteSize {
    private static let units: [(suffix: String, factor: Int)] = [
        ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1),
    ]

    /// Parses a size: decimal digits with an optional `B`, `KiB`, `MiB` or `GiB` suffix.
    /// - Parameter text: The size text.
    /// - Returns: The size in bytes, or nil when malformed or larger than `Int.max`.
    public static func parse(_ text: String) -> Int? {
        var digits = Substring(text)
        var factor = 1
        for unit in units where text.hasSuffix(unit.suffix) {
            digits = digits.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(digits) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// Formats a size with the largest binary unit that divides it exactly (`262144` -> `256KiB`).
    /// - Parameter bytes: The size in bytes.
    /// - Returns: The text, `"<n>B"` when no larger unit divides it.
    public static func format(_ bytes: Int) -> String {
        for unit in units where bytes != 0 && bytes % unit.factor == 0 {
            return "\(bytes / unit.factor)\(unit.suffix)"
        }
        return "\(bytes)B"
    }
}
