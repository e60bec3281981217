/// One object `objstream send` sends: its name and where its bytes come from.
struct SendItem {
    /// The object name (for a name that is not UTF-8, its repaired decoding: for messages).
    var name: String
    /// Its size in bytes.
    var size: Int64
    /// Its access time in nanoseconds since the epoch (the file's mtime; 0 for synthetic objects).
    var atime: Int64
    /// The exact bytes of the path of the file that holds its bytes (Linux paths need not be UTF-8);
    /// nil: synthetic bytes.
    var path: [UInt8]?
    /// The object name's exact bytes when they are not valid UTF-8; nil when ``name`` is exact.
    var nameBytes: [UInt8]? = nil
}
