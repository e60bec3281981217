import Foundation

extension Double {
    /// The value with two decimals.
    var formatted2: String { String(format: "%.2f", self) }
    /// The value with three decimals.
    var formatted3: String { String(format: "%.3f", self) }
}
