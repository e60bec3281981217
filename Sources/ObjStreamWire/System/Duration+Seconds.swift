extension Duration {
    /// The duration in seconds, as a `Double` (for rates and printed times).
    package var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
