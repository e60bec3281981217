import Foundation

/// An incremental HTTP/1.1 chunked-body parser.
struct ChunkParser {
    private enum State { case size, data(Int), dataCRLF(Int), trailer }
    private var state = State.size
    private var line: [UInt8] = []
    private(set) var failed = false
    /// How many bytes of the last ``consume(_:_:)`` call belonged to the body: all of them,
    /// unless the body ended inside them (the rest is the next request, on a kept connection).
    private(set) var consumed = 0

    /// Consumes bytes, handing chunk data to `deliver`.
    /// - Returns: Whether the terminating chunk and its empty line were seen.
    mutating func consume(_ raw: UnsafeRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var i = 0
        consumed = raw.count
        while i < raw.count {
            switch state {
            case .size, .trailer:
                let b = raw[i]
                i += 1
                if b != 10 {
                    line.append(b)
                    continue
                }
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                line.removeAll()
                if case .trailer = state {
                    if text.isEmpty {
                        consumed = i
                        return true
                    }
                    continue
                }
                guard let size = Int(text.split(separator: ";").first ?? "", radix: 16) else {
                    failed = true
                    return false
                }
                state = size == 0 ? .trailer : .data(size)
            case .data(let left):
                let n = min(left, raw.count - i)
                deliver(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]))
                i += n
                state = left - n == 0 ? .dataCRLF(2) : .data(left - n)
            case .dataCRLF(let left):
                i += 1
                state = left == 1 ? .size : .dataCRLF(left - 1)
            }
        }
        return false
    }
}
