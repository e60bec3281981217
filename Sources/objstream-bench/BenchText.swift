#if canImport(Glibc)
import Glibc
#endif

/// The text of the benchmark's tables: sizes, columns, and lines that show up at once.
enum BenchText {
    /// A size in its largest whole unit: `1KiB`, `64KiB`, `1MiB`, `16MiB`, ..., else bytes (`100B`).
    /// - Parameter n: The size in bytes.
    /// - Returns: The text.
    static func size(_ n: Int) -> String {
        if n >= 1 << 30, n % (1 << 30) == 0 { return "\(n >> 30)GiB" }
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20)MiB" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10)KiB" }
        return "\(n)B"
    }

    /// Right-aligns a text in a column.
    /// - Parameters:
    ///   - s: The text.
    ///   - width: The column's width; a longer text is kept whole.
    /// - Returns: The text with spaces before it.
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// Right-aligns texts in columns, one space apart.
    /// - Parameter cells: Each column's text and width.
    /// - Returns: The columns as one text.
    static func columns(_ cells: [(text: String, width: Int)]) -> String {
        cells.map { pad($0.text, $0.width) }.joined(separator: " ")
    }

    /// Prints a line and flushes it, so that a long run shows its progress in a pipe or a file.
    /// - Parameter line: The line, without its newline.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }
}
