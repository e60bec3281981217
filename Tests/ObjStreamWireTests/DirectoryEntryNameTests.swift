import Foundation
import ObjStreamTestSupport
import Testing

@testable import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DirectoryEntryNameTests {
    @Test func aNameIsReadInPlaceWithoutTouchingTheBytesPastItsEntry() throws {
        // A short entry that ends 5 bytes before an unreadable page, as the last entry of a
        // full readdir buffer can: copying the dirent or its 256-byte d_name would fault.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapping != MAP_FAILED)
        defer { munmap(mapping, 2 * page) }
        #expect(mprotect(mapping + page, page, PROT_NONE) == 0)
        let offset = try #require(MemoryLayout<dirent>.offset(of: \.d_name))
        let entryStart = mapping + page - (offset + 5)
        #expect(Int(bitPattern: entryStart) % MemoryLayout<dirent>.alignment == 0)
        let name = entryStart + offset
        for (i, byte) in "abcd".utf8.enumerated() { name.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) }
        name.storeBytes(of: 0, toByteOffset: 4, as: UInt8.self)
        let entry = entryStart.bindMemory(to: dirent.self, capacity: 1)
        #expect(withDirectoryEntryName(entry) { Array($0) } == Array("abcd".utf8))
    }

    @Test func everyNameOfAFolderComesBackWithItsExactBytes() throws {
        let folder = try TestPaths.temporaryDirectory("objstream-dirent")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Lengths 1 to 255 and a name that is not UTF-8.
        var expected: Set<[UInt8]> = [[0x66, 0xff, 0xfe]]
        for length in 1...255 { expected.insert(Array(repeating: UInt8(ascii: "n"), count: length - 1) + [UInt8(ascii: "x")]) }
        for name in expected {
            let path = Array(folder.path.utf8) + [UInt8(ascii: "/")] + name + [0]
            let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) }
            #expect(fd >= 0)
            close(fd)
        }
        let stream = try #require(opendir(folder.path))
        defer { closedir(stream) }
        var listed: Set<[UInt8]> = []
        while let entry = readdir(stream) {
            let name = withDirectoryEntryName(entry) { Array($0) }
            if name != Array(".".utf8) && name != Array("..".utf8) { listed.insert(name) }
        }
        #expect(listed == expected)
    }
}
