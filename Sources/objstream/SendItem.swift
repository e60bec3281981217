/// One object `objstream send` sends: its name and where its bytes come from.
struct SendItem {
    /// The object name.
    var name: String
    /// Its size in bytes.
    var size: Int64
    /// Its access time in nanoseconds since the epoch (the file's mtime; 0 for synthetic objects).
    var atime: Int64
    /// The file that holds its bytes; nil: synthetic bytes.
    var path: String?
}
