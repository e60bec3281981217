import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// Objects reach a real loopback receiver whole, in order, and complete exactly once.
@Suite struct DeliveryTests {
    @Test(arguments: ReceiverKind.allCases)
    func tenThousandRandomObjectsCompleteOnceInOrderWithTheirBytes(kind: ReceiverKind) throws {
        let server = try kind.make(digests: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("many"), options: TestObjects.options())
        let log = CompletionLog()
        var rng = SystemRandomNumberGenerator()
        var sizes: [Int] = []
        var digests: [UInt64] = []
        var total = 0
        for i in 0..<10_000 {
            let size = Int.random(in: 0...(i % 100 == 0 ? 300_000 : 8_000), using: &rng)
            let data = TestObjects.random(size, using: &rng)
            sizes.append(size)
            digests.append(TestObjects.digest(data))
            total += size
            let h = ObjectHeader(bucket: Bucket(name: "b"), objectName: "obj/\(i)")
            try stream.send(.bytes(h, data, context: i, callback: log.callback))
        }
        stream.fin()
        let completions = log.all
        #expect(completions.map(\.index) == Array(0..<10_000))
        #expect(completions.allSatisfy { $0.error == nil })
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        let received = server.objects
        #expect(received.map(\.size) == sizes)
        #expect(received.map(\.digest) == digests)
        #expect(received.map(\.header.objectName) == (0..<10_000).map { "obj/\($0)" })
        #expect(server.sessions[0].dataBytes == total)
        #expect(stream.bytesSent == Int64(total))
        #expect(stream.objectsSent == 10_000)
    }

    @Test(arguments: ReceiverKind.allCases, [
        ObjectAttributes(size: 1024, atime: 0, checksumType: "", checksumValue: "", version: "102.44"),
        ObjectAttributes(size: 1024, atime: Int64.max, checksumType: "xxhash2", checksumValue: "120421"),
        ObjectAttributes(size: 0, atime: 1_700_000_000, checksumType: "none", checksumValue: ""),
    ])
    func referenceAttributeCasesRoundTripExactly(kind: ReceiverKind, attributes: ObjectAttributes) throws {
        let server = try kind.make(digests: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("attrs"), options: TestObjects.options())
        let header = ObjectHeader(
            senderID: "tx", bucket: Bucket(name: "attrs"), objectName: "o", attributes: attributes)
        let data = PayloadPattern.bytes(for: "o", size: Int(attributes.size))
        try stream.send(OutgoingObject(header: header, source: data.isEmpty ? nil : BytesSource(data)))
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.objects.map(\.header) == [header])
        #expect(server.objects.map(\.digest) == [TestObjects.digest(data)])
    }

    @Test(arguments: ReceiverKind.allCases, [false, true])
    func stopAtARandomPointCompletesEverySentObjectAndSaysStopped(kind: ReceiverKind, confirmed: Bool) throws {
        let server = try kind.make(digests: false)
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("stop"),
            options: TestObjects.options { $0.confirmation = confirmed ? DeliveryConfirmation() : nil })
        let log = CompletionLog()
        let stopAt = Int.random(in: 5_000..<15_000)
        var sent = 0
        var refused = 0
        for i in 0..<20_000 {
            if i == stopAt { stream.stop() }
            let h = ObjectHeader(bucket: Bucket(name: "b"), objectName: "s/\(i)")
            do {
                try stream.send(.bytes(h, [UInt8](repeating: UInt8(i & 0xff), count: i % 3000), context: i, callback: log.callback))
            } catch {
                #expect(error.code == .terminated)
                #expect(error.message.contains(stream.description) && error.message.contains("stopped"))
                refused += 1
            }
            sent += 1
        }
        #expect(stream.waitUntilCompleted(timeout: .seconds(120)))
        #expect(log.count == sent)
        #expect(Set(log.all.map(\.index)).count == sent)
        #expect(refused == 20_000 - stopAt)
        #expect(stream.terminationReason?.name == "stopped")
        #expect(stream.isTerminated)
        // Objects completed without error were written before the stop, in order; the receiver
        // read a prefix of what was sent before the stop, nothing sent after it.
        let succeeded = log.all.filter { $0.error == nil }
        #expect(succeeded.map(\.index) == Array(0..<succeeded.count))
        #expect(server.waitFor { $0.allSatisfy { $0.complete || $0.error != nil } })
        let received = server.objects.map(\.header.objectName)
        #expect(received == (0..<received.count).map { "s/\($0)" }, "stop at \(stopAt)")
        #expect(received.count <= stopAt, "stop at \(stopAt)")
        if confirmed {
            // Every object completed without error is at the receiver. (Objects that arrived
            // just before the stop may still complete as stopped: a false failure, never a loss.)
            #expect(received.count >= succeeded.count, "stop at \(stopAt)")
        }
        // Without confirmation, "completed" means written to the socket: the stop may discard
        // what the kernel still held, and objects the stop cut may arrive yet complete as stopped.
        #expect(log.all.filter { $0.error != nil }.allSatisfy { $0.error!.code == .stopped || $0.error!.code == .terminated })
    }

    @Test(arguments: ReceiverKind.allCases)
    func sixteenConcurrentStreamsDeliverEveryByte(kind: ReceiverKind) throws {
        let server = try kind.make(digests: false)
        let seconds = Double(ProcessInfo.processInfo.environment["OBJSTREAM_TX_STREAM_SECONDS"] ?? "") ?? 2
        defer { server.kill() }
        let sentBytes = Mutex<[Int64: Int]>([:])
        let failures = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 16) { n in
            do {
                let stream = try ObjStream(url: server.url("c\(n)"), options: TestObjects.options())
                var rng = SystemRandomNumberGenerator()
                let pool = TestObjects.random(1 << 20, using: &rng)
                let deadline = ContinuousClock.now + .seconds(seconds)
                var bytes = 0
                var i = 0
                while ContinuousClock.now < deadline {
                    let size = Int.random(in: 0...(i % 50 == 0 ? 1 << 20 : 64 << 10), using: &rng)
                    let h = ObjectHeader(bucket: Bucket(name: "c"), objectName: "\(n)/\(i)")
                    try stream.send(.bytes(h, Array(pool[0..<size]), callback: { _, _, e in
                        if e != nil { failures.add(1, ordering: .relaxed) }
                    }))
                    bytes += size
                    i += 1
                }
                stream.fin()
                sentBytes.withLock { $0[stream.sessionID] = bytes }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        let expected = sentBytes.withLock { $0 }
        #expect(expected.count == 16)
        #expect(server.waitFor { $0.count == 16 && $0.allSatisfy(\.complete) })
        var received: [Int64: Int] = [:]
        for r in server.sessions { received[r.sessionID, default: 0] += r.dataBytes }
        #expect(received == expected)
        #expect(server.sessions.allSatisfy { $0.error == nil })
    }

    @Test(arguments: ReceiverKind.allCases)
    func unsizedObjectsOnAPDUStreamArriveWhole(kind: ReceiverKind) throws {
        let server = try kind.make(digests: true)
        defer { server.kill() }
        let pdu = Int.random(in: 64...WireLimits.maxPDUSize)
        let stream = try ObjStream(url: server.url("pdu"), options: TestObjects.options { $0.pduSize = pdu })
        var rng = SystemRandomNumberGenerator()
        var expected: [(Int, UInt64)] = []
        for i in 0..<300 {
            let data = TestObjects.random(Int.random(in: 0...400_000, using: &rng), using: &rng)
            let h = ObjectHeader(bucket: Bucket(name: "u"), objectName: "u/\(i)", attributes: ObjectAttributes(size: i % 2 == 0 ? -1 : Int64(data.count)))
            try stream.send(OutgoingObject(header: h, source: data.isEmpty && i % 2 == 1 ? nil : BytesSource(data)))
            expected.append((data.count, TestObjects.digest(data)))
        }
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream", "PDU size \(pdu)")
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.sessions[0].error == nil)
        #expect(server.objects.map(\.size) == expected.map(\.0))
        #expect(server.objects.map(\.digest) == expected.map(\.1))
    }

    @Test(arguments: ReceiverKind.allCases)
    func lz4StreamWithRandomCompressibleAndHeaderOnlyObjectsArrivesWhole(kind: ReceiverKind) throws {
        let server = try kind.make(digests: true)
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("lz4"), options: TestObjects.options { $0.compressed = true; $0.lz4Block = .kib64 })
        #expect(stream.description.hasSuffix("(z)"))
        var rng = SystemRandomNumberGenerator()
        var expected: [(Int, UInt64)] = []
        var total = 0
        for i in 0..<700 {
            let size = i % 7 == 0 ? 0 : Int.random(in: 1...300_000, using: &rng)
            let data = i % 2 == 0 ? TestObjects.random(size, using: &rng) : PayloadPattern.bytes(for: "z", size: size).map { $0 & 0x3 }
            try stream.send(.bytes(ObjectHeader(bucket: Bucket(name: "z"), objectName: "z/\(i)"), data))
            expected.append((size, TestObjects.digest(data)))
            total += size
        }
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.sessions[0].error == nil)
        #expect(server.objects.map(\.size) == expected.map(\.0))
        #expect(server.objects.map(\.digest) == expected.map(\.1))
        #expect(server.sessions[0].dataBytes == total)
    }

    @Test(arguments: [false, true])
    func largeFilesGoOutWhole(compressed: Bool) throws {
        let dir = try TestPaths.temporaryDirectory("objstream-tx-file")
        let server = try RawStreamServer(digests: true)
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("files"),
            options: TestObjects.options {
                $0.chunkSize = 256 << 10
                $0.compressed = compressed
            })
        var rng = SystemRandomNumberGenerator()
        var expected: [UInt64] = []
        for (i, size) in [0, 1, 5_000_000, 1 << 20, 3].enumerated() {
            let data = TestObjects.random(size, using: &rng)
            let path = dir.appendingPathComponent("f\(i)").path
            try Data(data).write(to: URL(fileURLWithPath: path))
            let source = try FileSource(path: path)
            let h = ObjectHeader(bucket: Bucket(name: "f"), objectName: "f\(i)", attributes: ObjectAttributes(size: source.size))
            try stream.send(OutgoingObject(header: h, source: size == 0 ? nil : source))
            if size == 0 { source.close() }
            expected.append(TestObjects.digest(data))
        }
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        #expect(server.objects.map(\.digest) == expected)
    }
}
