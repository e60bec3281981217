import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The completion queue: completions wake the completion thread (not a thread waiting for
/// the end), a completion thread that falls behind holds the sender thread back, and a
/// callback may send on its own stream without deadlocking the two.
@Suite struct CompletionQueueTests {
    /// Names the calling thread as `/proc/self/task/*/comm` shows it.
    private static func nameThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// The state letter (`S`: sleeping) of this process's thread with that name, if any.
    private static func state(ofThread name: String) -> Character? {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for task in tasks {
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { continue }
            let stat = (try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8)) ?? ""
            // "tid (comm) S ...": the state follows the closing parenthesis.
            guard let close = stat.lastIndex(of: ")") else { return nil }
            return stat[stat.index(after: close)...].first { $0 != " " }
        }
        return nil
    }

    @Test func aThreadWaitingForTheEndDoesNotTakeTheWakeUpOfTheCompletionThread() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("wake"), options: TestObjects.options())
        // A thread waits for the end before the stream starts: it waits longer than the
        // completion thread, so a single wake-up for the first completions would go to it.
        let name = "oswait-\(stream.sessionID % 100_000)"
        let waited = Atomic(false)
        let waiter = Thread {
            Self.nameThread(name)
            _ = stream.waitUntilCompleted(timeout: .seconds(600))
            waited.store(true, ordering: .releasing)
        }
        waiter.start()
        #expect(eventually { Self.state(ofThread: name) == "S" })
        let log = CompletionLog()
        try stream.send(.bytes(ObjectHeader(objectName: "w"), [1, 2, 3], context: 0, callback: log.callback))
        // Completed while the stream goes on (no fin, no further object to wake the thread).
        #expect(eventually { log.count == 1 })
        let early = waited.load(ordering: .acquiring)
        #expect(!early)
        stream.fin()
        #expect(eventually { waited.load(ordering: .acquiring) })
        #expect(log.all.first?.error == nil)
    }

    @Test func objectsSentOneAtATimeWhileTheCompletionThreadIdlesAllComplete() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("spares"), options: TestObjects.options())
        let log = CompletionLog()
        // After each completion the completion thread idles; each next object's batch must wake it.
        for i in 0..<20 {
            try stream.send(.bytes(ObjectHeader(objectName: "s\(i)"), [UInt8(i)], context: i, callback: log.callback))
            let completed = eventually { log.count == i + 1 }
            #expect(completed, "object \(i) was not completed")
            guard completed else {
                stream.stop()
                return
            }
        }
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<20))
        #expect(log.all.allSatisfy { $0.error == nil })
    }

    @Test func aCompletionThreadThatFallsBehindHoldsTheSenderThreadBack() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let backlog = 8
        let stream = try ObjStream(
            url: server.url("behind"),
            options: TestObjects.options {
                $0.completionBacklog = backlog
                $0.burst = 4
            })
        let log = CompletionLog()
        let gate = Atomic(false)
        let blocked: SentCallback = { header, context, error in
            while !gate.load(ordering: .acquiring) { usleep(1000) }
            log.callback(header, context, error)
        }
        // 64 KiB objects go out one chunk each: one completion batch per object.
        let payload = [UInt8](repeating: 4, count: 64 << 10)
        let total = 400
        let allQueued = Atomic(false)
        let producer = Thread {
            for i in 0..<total {
                let callback = i == 0 ? blocked : log.callback
                try? stream.send(.bytes(ObjectHeader(objectName: "b\(i)"), payload, context: i, callback: callback))
            }
            allQueued.store(true, ordering: .releasing)
        }
        producer.start()
        // The first completion is held: the sender thread runs ahead by the backlog, then waits.
        #expect(eventually { stream.objectsSent >= backlog })
        usleep(1_000_000)  // room to run further ahead, if it could
        let sentWhileHeld = stream.objectsSent
        // At most: the batch in the completion thread's hand (at most the backlog and one), the
        // backlog and one more waiting behind it.
        #expect(sentWhileHeld <= 2 * backlog + 2, "\(sentWhileHeld) objects sent while the completion thread was held")
        let queuedWhileHeld = allQueued.load(ordering: .acquiring)
        #expect(!queuedWhileHeld)
        gate.store(true, ordering: .releasing)
        #expect(eventually { allQueued.load(ordering: .acquiring) })
        stream.fin()
        #expect(log.all.map(\.index) == Array(0..<total))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(eventually { server.objects.count == total })
    }

    @Test func aCallbackThatSendsOnItsOwnStreamCompletesEverythingWithBurstOneAndABacklogOfOne() throws {
        let server = try RawStreamServer()
        defer { server.kill() }
        let stream = try ObjStream(
            url: server.url("resend"),
            options: TestObjects.options {
                $0.burst = 1
                $0.completionBacklog = 1
            })
        let log = CompletionLog()
        let first = 200
        let payload = [UInt8](repeating: 6, count: 64 << 10)
        // Each of the first objects sends one more from its callback, on the completion thread,
        // while the sender thread waits for that thread (backlog 1) and the queue is full (burst 1).
        let resend: SentCallback = { [stream] header, context, error in
            log.callback(header, context, error)
            guard let i = context as? Int, i < first else { return }
            _ = try? stream.send(.bytes(ObjectHeader(objectName: "again\(i)"), payload, context: first + i, callback: log.callback))
        }
        // Sent from a thread of its own: should the threads wait for each other, this one would
        // wait with them, and the test still ends (stop() releases them all).
        let producer = Thread {
            for i in 0..<first {
                _ = try? stream.send(.bytes(ObjectHeader(objectName: "first\(i)"), payload, context: i, callback: resend))
            }
        }
        producer.start()
        let completed = eventually { log.count == 2 * first }
        #expect(completed, "\(log.count) of \(2 * first) completed: the threads wait for each other")
        guard completed else {
            stream.stop()  // releases a callback waiting in send, and with it the sender thread
            return
        }
        stream.fin()
        #expect(Set(log.all.map(\.index)) == Set(0..<(2 * first)))
        #expect(log.all.allSatisfy { $0.error == nil })
        #expect(stream.terminationReason?.name == "end-of-stream")
        #expect(eventually { server.objects.count == 2 * first })
    }
}
