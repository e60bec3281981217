import ObjStreamWire

/// What a decoder made of a body: its events (data counted, not kept) and its verdict.
struct Transcript: Equatable, CustomStringConvertible {
    enum Entry: Equatable {
        case header(ObjectHeader)
        /// Data bytes, consecutive data events added up (chunking splits them differently).
        case data(Int)
        case objectEnd
        case marker(Opcode)
    }

    enum Verdict: Equatable {
        case clean
        case broken(code: BrokenStreamError.Code, offset: Int64)
    }

    var entries: [Entry] = []
    var verdict = Verdict.clean

    /// Decodes a body in the chunks of `plan`, checking each event against what was announced.
    /// - Parameters:
    ///   - body: The request body.
    ///   - compressed: Whether it is an lz4 frame.
    ///   - plan: The chunk sizes.
    /// - Returns: The events and the verdict.
    static func decode(_ body: UnsafeRawBufferPointer, compressed: Bool, chunks plan: ChunkPlan) -> Transcript {
        var transcript = Transcript()
        var plan = plan
        var size: Int64 = 0
        var received: Int64 = 0
        do throws(BrokenStreamError) {
            let decoder = try BodyDecoder(compressed: compressed)
            let handle = { (event: StreamDecoder.Event) in
                switch event {
                case .header:
                    let header = decoder.frames.header
                    size = header.attributes.size
                    received = 0
                    transcript.entries.append(.header(header))
                case .data(let bytes):
                    guard !bytes.isEmpty else { fatalError("empty data event") }
                    received += Int64(bytes.count)
                    guard size < 0 || received <= size else { fatalError("data past the object's size \(size)") }
                    if case .data(let n) = transcript.entries.last {
                        transcript.entries[transcript.entries.count - 1] = .data(n + bytes.count)
                    } else {
                        transcript.entries.append(.data(bytes.count))
                    }
                case .objectEnd:
                    guard size < 0 || received == size else { fatalError("object of size \(size) ended at \(received)") }
                    transcript.entries.append(.objectEnd)
                case .marker(let opcode):
                    transcript.entries.append(.marker(opcode))
                }
            }
            var rest = body
            while !rest.isEmpty {
                let n = min(plan.next(), rest.count)
                do {
                    try decoder.feed(UnsafeRawBufferPointer(rebasing: rest[..<n]), handle)
                } catch {
                    switch error {
                    case .broken(let broken): throw broken
                    }
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
            try decoder.finish()
        } catch {
            let limit = compressed ? Int64.max : Int64(body.count)
            guard error.offset >= 0 && error.offset <= limit else {
                fatalError("\(error.code) at offset \(error.offset) outside the \(body.count)-byte body")
            }
            transcript.verdict = .broken(code: error.code, offset: error.offset)
        }
        return transcript
    }

    var description: String { "\(entries.count) events, \(verdict)" }
}
