import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// Mutated golden streams, fed in random chunks: the decoder either decodes or reports a
/// broken stream with a code and an offset inside the body, and never crashes or hangs.
/// `OBJSTREAM_FUZZ_ITERATIONS=N` runs it longer; `make fuzz` runs the coverage-guided libFuzzer targets.
@Suite struct DecoderFuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["OBJSTREAM_FUZZ_ITERATIONS"] ?? "") ?? 2000

    enum Outcome: Equatable {
        case clean(objects: Int)
        case broken(BrokenStreamError.Code)
    }

    /// Decodes a (possibly corrupt) body; checks every data slice stays within what was announced.
    static func outcome(_ body: [UInt8], compressed: Bool, chunks: [Int]) throws -> Outcome {
        let decoder = try BodyDecoder(compressed: compressed)
        var objects = 0
        var size: Int64 = 0
        var received: Int64 = 0
        do {
            try decoder.feed(body, chunkSizes: chunks) { event in
                switch event {
                case .header:
                    size = decoder.frames.header.attributes.size
                    received = 0
                case .data(let d):
                    received += Int64(d.count)
                    precondition(size < 0 || received <= size, "data past the object's size")
                case .objectEnd:
                    precondition(size < 0 || received == size, "object ended short")
                    objects += 1
                case .marker: break
                }
            }
            try decoder.finish()
            return .clean(objects: objects)
        } catch let BodyDecodingError<Never>.broken(error) {
            #expect(error.offset >= 0)
            return .broken(error.code)
        } catch let error as BrokenStreamError {
            #expect(error.offset >= 0)
            return .broken(error.code)
        }
    }

    static func mutate(_ body: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = body
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let at = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: b[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: b[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: b.removeSubrange(at...)
            case 3: b.insert(contentsOf: (0..<Int.random(in: 1...32, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            default: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...64, using: &rng)))
            }
        }
        return b
    }

    @Test(arguments: ["example_headers", "header_only", "plain_sized", "pdu_unsized", "lz4"])
    func mutatedGoldenStreamsDecodeOrBreakWithACode(name: String) throws {
        let body = try TestPaths.vector("\(name).body.bin")
        let compressed = name == "lz4"
        var rng = SplitMix64(seed: PayloadPattern.fnv1a64(name))
        var broken: [String: Int] = [:]
        for _ in 0..<Self.iterations / 5 {
            let mutated = Self.mutate(body, &rng)
            let chunks = (0..<4).map { _ in [1, 3, 16, 700, 65536].randomElement(using: &rng)! }
            let outcome = try Self.outcome(mutated, compressed: compressed, chunks: chunks)
            if case .broken(let code) = outcome { broken[code.description, default: 0] += 1 }
            // The same bytes in one piece give the same verdict: chunking never changes it.
            #expect(try Self.outcome(mutated, compressed: compressed, chunks: [Int.max]) == outcome)
        }
        // Mutations must actually break streams, else this test proves nothing.
        #expect(broken.values.reduce(0, +) > Self.iterations / 20)
    }
}
