import ObjStreamFuzzSupport
import ObjStreamWire

/// libFuzzer's entry point for the object-header codec: the input is one header's `hlen` bytes.
///
/// Decoding may fail with a ``WireError``; a header that decodes is Go's bytes kept, not a
/// repaired copy of them, so that:
/// - encoding it gives back exactly the input bytes (a string that is not valid UTF-8 is
///   written from ``ObjectHeader/undecodedStrings``, not from its repaired `String`), and
///   ``HeaderCodec/encodedLength(of:)`` and what ``HeaderCodec/validate(_:)`` measures are the input's length;
/// - those bytes decode to an equal header, undecoded strings included;
/// - the same header built field by field from ``ObjectHeader/bytes(of:)`` with
///   ``ObjectHeader/setBytes(_:of:)`` is equal to it.
///
/// Bytes, not `String` equality, are the check: Swift's `==` on strings is canonical
/// equivalence, under which two different byte sequences (`é` and `e` + U+0301) are equal.
/// - Parameters:
///   - data: The input's bytes.
///   - size: Their count.
/// - Returns: 0.
@_cdecl("LLVMFuzzerTestOneInput")
public func headerFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    guard let header = try? HeaderCodec.decode(input) else { return 0 }
    let encoded: [UInt8]
    do {
        encoded = try HeaderCodec.encode(header)
    } catch {
        fatalError("a decoded header does not encode: \(error)")
    }
    guard encoded.elementsEqual(input) else { fatalError("re-encoding changed the bytes: \(encoded) against \(Array(input))") }
    guard HeaderCodec.encodedLength(of: header) == size else { fatalError("encodedLength \(HeaderCodec.encodedLength(of: header)) for \(size) bytes") }
    guard (try? HeaderCodec.validate(header)) == size else { fatalError("validate measures \(String(describing: try? HeaderCodec.validate(header))) for \(size) bytes") }
    guard let again = try? HeaderCodec.decode(encoded), again == header else { fatalError("the re-encoded header decodes differently") }
    let rebuilt = HeaderRebuild.fieldByField(header)
    guard rebuilt == header else { fatalError("the header rebuilt from bytes(of:) differs: \(rebuilt) against \(header)") }
    return 0
}

@main
enum HeaderFuzzTarget {
    static func main() { FuzzDriver.main(headerFuzzTestOneInput) }
}
