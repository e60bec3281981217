#if canImport(Glibc)
import Glibc
#endif
import ObjStreamSend
import ObjStreamWire

/// A sender that costs next to no CPU: one stream request whose body is written from a
/// buffer framed and chunked once before the clock starts, in big writes, so that a row
/// measures the receiver alone (``BenchCase/Writer/preframed``).
///
/// The buffer holds whole objects cut into HTTP chunks of the case's chunk size (the last
/// chunk of the buffer may be shorter); written again and again it is one valid stream.
enum PreframedWriter {
    /// Sends the case's objects to `url` until its time is up, then the end-of-stream marker.
    /// - Parameters:
    ///   - benchCase: Object size, chunk size and time.
    ///   - url: The receiving endpoint (`http://127.0.0.1:PORT/v1/objstream/NAME`).
    /// - Returns: What was sent, with this process's CPU time.
    /// - Throws: ``BenchError`` naming the system call or the answer that failed.
    static func run(_ benchCase: BenchCase, url: String) throws -> BenchWorker.Result {
        let endpoint = try EndpointURL(url)
        guard !endpoint.isTLS, endpoint.host == "127.0.0.1" else {
            throw BenchError("preframed writer: \(url) is not a plain http:// loopback URL")
        }
        let (port, path) = (endpoint.port, endpoint.path)
        var frames = FrameEncoder()
        let payload = [UInt8](repeating: 0x5A, count: benchCase.objectSize)
        let header = ObjectHeader(
            senderID: "bench", bucket: Bucket(name: "bench"), objectName: "bench/object",
            attributes: ObjectAttributes(size: Int64(benchCase.objectSize), atime: 1))
        // At least 16 MiB of frames per buffer: writes of that size cost the kernel's copy only.
        let perBuffer = max(1, (16 << 20) / benchCase.objectSize)
        for _ in 0..<perBuffer { try frames.appendObject(header, data: payload) }
        let buffer = chunked(frames.bytes, chunkSize: benchCase.chunkSize)
        var fin = FrameEncoder()
        fin.appendFin()
        let end = chunked(fin.bytes, chunkSize: benchCase.chunkSize) + Array("0\r\n\r\n".utf8)

        let socket = try connect(port: port)
        defer { _ = socket.close() }
        let head = "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/octet-stream\r\nAis-Session-Id: 1\r\nAis-Caller-Id: bench\r\n\r\n"

        let before = ProcessUsage.current()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(benchCase.seconds * 1000))
        var objects = 0
        do {
            try Array(head.utf8).withUnsafeBytes { try socket.writeAll($0) }
            while ContinuousClock.now < deadline {
                try buffer.withUnsafeBytes { try socket.writeAll($0) }
                objects += perBuffer
            }
            try end.withUnsafeBytes { try socket.writeAll($0) }
        } catch {
            throw BenchError("preframed writer: write to 127.0.0.1:\(port) failed: \(error)")
        }
        let answer = try readStatusLine(socket)
        let seconds = (ContinuousClock.now - start).seconds
        let after = ProcessUsage.current()
        guard answer.hasPrefix("HTTP/1.1 200") else {
            throw BenchError("preframed writer: the receiver answered '\(answer)'")
        }
        return BenchWorker.Result(
            objects: objects, bytes: Int64(objects) * Int64(benchCase.objectSize), seconds: seconds,
            cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakResidentBytes: after.peakResidentBytes, failures: 0)
    }

    /// `bytes` as HTTP chunks of at most `chunkSize` bytes each (no terminating chunk).
    private static func chunked(_ bytes: [UInt8], chunkSize: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + (bytes.count / chunkSize + 1) * 16)
        var at = 0
        while at < bytes.count {
            let n = min(chunkSize, bytes.count - at)
            out += Array((String(n, radix: 16) + "\r\n").utf8)
            out += bytes[at..<(at + n)]
            out += Array("\r\n".utf8)
            at += n
        }
        return out
    }

    /// A TCP connection to the loopback port.
    private static func connect(port: UInt16) throws -> FileDescriptor {
        guard let fd = LoopbackPort.connect(port) else {
            throw BenchError("preframed writer: connect to 127.0.0.1:\(port): \(Errno(code: errno))")
        }
        return FileDescriptor(adopting: fd)
    }

    /// The response's status line.
    private static func readStatusLine(_ socket: FileDescriptor) throws -> String {
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while answer.count < 256 {
            let n = read(socket.rawValue, &byte, 1)
            if n <= 0 { break }
            if byte == UInt8(ascii: "\n") { break }
            if byte != UInt8(ascii: "\r") { answer.append(byte) }
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
