import ObjStreamWire
import Testing

@Suite struct ProtoHeaderTests {
    @Test func hashMatchesTheSpecTestValues() {
        #expect(ProtoHeader.check(0) == 0x1a70_a846_bd9c_c2a9)
        #expect(ProtoHeader.check(1) == 0xc588_3e37_0b09_26c3)
        #expect(ProtoHeader.check(72) == 0xfadc_5c11_e201_42b1)
        #expect(ProtoHeader.check(113) == 0x0b55_6924_3175_83cb)
    }

    @Test func flagsAndLengthShareTheFirstWord() {
        let header = ProtoHeader(length: 4080, flags: [.pdu, .lastPDU])
        #expect(header.word == (1 << 62 | 1 << 61 | 4080))
        let bytes = header.bytes
        #expect(bytes.count == 16)
        #expect(Array(bytes[0..<8]) == [0x60, 0, 0, 0, 0, 0, 0x0f, 0xf0])
        let (decoded, checked) = bytes.withUnsafeBytes { ProtoHeader.read(from: $0.baseAddress!) }
        #expect(checked)
        #expect(decoded == header)
    }
}
