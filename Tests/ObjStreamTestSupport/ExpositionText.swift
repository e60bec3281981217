/// Reading Prometheus text exposition in tests.
public enum ExpositionText {
    /// The value of one series in an exposition text.
    /// - Parameters:
    ///   - series: The name with its labels, exactly as exposed (`objstream_rx_bytes_total{endpoint="a"}`).
    ///   - text: The exposition text (a `/metrics` body, a registry's rendering).
    /// - Returns: The value; nil when the series is absent, NaN when its value does not parse.
    public static func value(of series: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.dropFirst(series.count + 1)) ?? .nan
    }
}
