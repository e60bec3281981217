import ObjStreamChecksum
import Testing

/// The wire names of STORE.md's checksum types.
@Suite struct ChecksumTypeTests {
    @Test func theSixWireNamesRoundTripInTheOrderOfSTORE() {
        #expect(ChecksumType.all.map(\.name) == ["xxhash", "xxhash2", "md5", "crc32c", "sha256", "sha512"])
        for type in ChecksumType.all {
            #expect(ChecksumType(name: type.name) == type)
            #expect(type.description == type.name)
        }
        #expect(Set(ChecksumType.all).count == 6)
    }

    @Test func noneAndEmptyAreNoTypeButTellThemselvesApartFromUnknownNames() {
        for name in ["none", ""] {
            #expect(ChecksumType(name: name) == nil)
            #expect(ChecksumType.isNone(name))
        }
        for name in ["crc32", "XXHASH", "sha1", "None"] {
            #expect(ChecksumType(name: name) == nil)
            #expect(!ChecksumType.isNone(name))
        }
        #expect(!ChecksumType.all.contains { ChecksumType.isNone($0.name) })
    }

    @Test func valuesHaveTheDigitCountsOfSTORE() {
        #expect(ChecksumType.all.map(\.hexDigits) == [16, 16, 32, 8, 64, 128])
    }
}
