/// A source that can produce a fresh, unread copy of itself: one per destination of
/// a multi-destination send.
public protocol ReopenableSource: ObjectSource {
    /// Opens the same bytes again from the start.
    /// - Returns: A new source, closed independently of this one.
    func reopen() throws -> any ObjectSource
}
