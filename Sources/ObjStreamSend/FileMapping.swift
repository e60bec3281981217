#if canImport(Glibc)
import Glibc
#endif

/// A file region mapped read-only for the gather path: its pages go to `sendmsg` by
/// reference, as in-memory payloads do, so the receiver gets ordinary socket buffers.
/// (With `sendfile` on loopback the receiver gets page fragments, which cost it more:
/// 16 MiB objects from files ran at 0.71-0.75x of the same objects from memory with
/// `sendfile`, 1.03-1.14x mapped; 1 MiB objects ran slower mapped, hence ``minimumSize``.)
///
/// Only the kernel reads the mapping, inside `sendmsg`: when another process truncates the
/// file meanwhile, the write fails with `EFAULT`. Code that read these bytes in user space
/// would get `SIGBUS` instead and take the process down, so ``bytes`` goes to system calls
/// only (never to a checksum, a copy or a compressor). Confined to the sender thread.
struct FileMapping: ~Copyable {
    /// The smallest object that is mapped rather than sent with `sendfile`.
    static let minimumSize = 4 << 20
    /// How many pages one `mincore` call checks (its vector lives on the stack).
    private static let pagesPerCheck = 1024

    /// The region's bytes, for the kernel only (see the type's documentation).
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Maps `count` bytes of a file region when all of them are in the page cache, with
    /// their page table entries filled in.
    /// - Parameters:
    ///   - region: The file and the offset of the first byte.
    ///   - count: How many bytes.
    /// - Returns: nil when the region is not mapped: not all of it is in the page cache
    ///   (`sendfile` then overlaps the disk's read-ahead with the network, where a mapping
    ///   would read all of it first), the file is shorter than `count`, or a call failed.
    /// The corresponding C functions are `mmap`, `mincore` and `madvise` (`MADV_POPULATE_READ`).
    init?(_ region: FileRegion, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = region.offset & ~Int64(page - 1)
        let lead = Int(region.offset - start)
        let length = lead + count
        guard count > 0, let base = mmap(nil, length, PROT_READ, MAP_SHARED, region.descriptor, off_t(start)),
            base != MAP_FAILED
        else { return nil }
        // Beyond the file's end a page is never resident, and populating it fails (`EFAULT`):
        // a file that shrank since it was opened is sent with `sendfile`, which reports the short read.
        guard Self.isResident(base, length: length, page: page),
            madvise(base, length, MADV_POPULATE_READ) == 0
        else {
            munmap(base, length)
            return nil
        }
        self.base = base
        self.length = length
        self.bytes = UnsafeRawBufferPointer(start: base + lead, count: count)
    }

    deinit { munmap(base, length) }

    /// Whether every page of a mapping is in the page cache.
    /// The corresponding C function is `mincore`.
    private static func isResident(_ base: UnsafeMutableRawPointer, length: Int, page: Int) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: pagesPerCheck) { vector in
            var offset = 0
            while offset < length {
                let bytes = min(length - offset, pagesPerCheck * page)
                guard mincore(base + offset, bytes, vector.baseAddress) == 0 else { return false }
                let pages = (bytes + page - 1) / page
                for i in 0..<pages where vector[i] & 1 == 0 { return false }
                offset += bytes
            }
            return true
        }
    }
}
