/// Durations in configuration files and on command lines, Go style: `"500ms"`, `"4s"`, `"2m"`, `"1m30s"`, `"1.5h"`.
public enum DurationFormat {
    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
        ("ms", 1_000_000), ("us", 1_000), ("µs", 1_000), ("ns", 1),
    ]

    /// Parses one or more `<number><unit>` terms (units `h`, `m`, `s`, `ms`, `us`, `ns`), no sign.
    /// - Parameter text: The duration text.
    /// - Returns: The duration, or nil when malformed or beyond about 292 years.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { return nil }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            guard let unit = units.first(where: { $0.suffix == unitText }), let wholeValue = Int64(whole.isEmpty ? "0" : whole)
            else { return nil }
            let (scaled, overflow) = wholeValue.multipliedReportingOverflow(by: unit.nanoseconds)
            guard !overflow else { return nil }
            var fractional: Int64 = 0
            var scale = unit.nanoseconds
            for digit in fraction.prefix(18) {
                scale /= 10
                fractional += Int64(digit.wholeNumberValue!) * scale
            }
            let (term, overflow2) = scaled.addingReportingOverflow(fractional)
            let (sum, overflow3) = total.addingReportingOverflow(term)
            guard !overflow2, !overflow3 else { return nil }
            total = sum
        }
        return .nanoseconds(total)
    }

    /// Formats a duration in whole seconds when it has no fraction (`.seconds(120)` -> `120s`), else in
    /// the largest of `ms`, `us`, `ns` that divides it exactly (`.milliseconds(1500)` -> `1500ms`).
    /// - Parameter duration: A non-negative duration.
    /// - Returns: The text; `0s` for zero.
    public static func format(_ duration: Duration) -> String {
        let ns = nanoseconds(duration)
        if ns == 0 { return "0s" }
        for unit in units.dropFirst(2) where unit.suffix != "µs" && ns % unit.nanoseconds == 0 {
            return "\(ns / unit.nanoseconds)\(unit.suffix)"
        }
        return "\(ns)ns"
    }

    /// The duration in whole nanoseconds (saturating).
    /// - Parameter duration: The duration.
    /// - Returns: Nanoseconds.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled + attoseconds / 1_000_000_000
    }
}
