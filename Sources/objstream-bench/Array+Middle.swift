extension Array where Element == Double {
    /// The middle element of a sorted array (the median), 0 when empty.
    var middle: Double { isEmpty ? 0 : self[count / 2] }
}
