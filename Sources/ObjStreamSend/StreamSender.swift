#if canImport(Glibc)
import Glibc
#endif
import ObjStreamWire

/// The sender thread of one stream: takes objects from the send queue, opens
/// requests lazily (retrying connection errors), writes frames, hands written objects
/// to the completion queue, and terminates the stream.
///
/// Everything here runs on that one thread.
final class StreamSender: @unchecked Sendable {
    /// The stream; a `var` for ``waitForWork(into:)``'s check that nothing else holds it.
    private var stream: ObjStream
    /// The stream's counters and metrics, held here: reading them through the `var` above
    /// would retain the stream for every object.
    private let counters: StreamCounters
    private let metrics: SenderMetrics
    private let options: StreamOptions
    private let writer: ChunkedBodyWriter
    /// Objects whose bytes are in the writer's buffer, not yet on the wire.
    private var pending: [OutgoingObject] = []
    /// In confirmed mode: the objects of the open request, written, waiting for the receiver's answer.
    private var unconfirmed: [OutgoingObject] = []
    /// The objects of the request whose response is read next: the one just ended, or, while
    /// the next request is written behind it (`responseOutstanding`), the previous one.
    private var awaiting: [OutgoingObject] = []
    /// In confirmed mode: a request ended whose response is not read yet; the next request
    /// goes out on the same connection behind it (pipelining, depth one), and its response
    /// is read when that one ends, or when the queue stays dry.
    private var responseOutstanding = false
    /// In confirmed mode: the connection of the last request, when its response left it open
    /// for another (HTTP/1.1 keep-alive), and since when it idles; the next request goes on it.
    private var kept: (connection: SocketConnection, since: ContinuousClock.Instant)?
    /// Whether the receiver's last answer left its connection open: then a request may go out
    /// behind an unread answer, on that connection or (after a limit or an idle spell) on a new one.
    private var receiverKeepsConnections = false
    private let confirmation: DeliveryConfirmation?
    private var requestOpen = false
    private var requestStarted = ContinuousClock.now
    /// In confirmed mode: the open request reached a bound, and ends after the current object.
    private var confirmationDue = false

    init(stream: ObjStream) {
        self.stream = stream
        self.counters = stream.counters
        self.metrics = stream.metrics
        self.options = stream.options
        // liblz4 only fails to create a context when out of memory.
        let lz4 = options.compressed
            ? try! LZ4FrameEncoder(blockSize: options.lz4Block, contentChecksum: options.lz4ContentChecksum) : nil
        self.writer = ChunkedBodyWriter(chunkSize: options.chunkSize, lz4: lz4)
        self.confirmation = options.confirmation
        pending.reserveCapacity(256)
    }

    /// The thread's body; returns when the stream has terminated.
    func run() {
        let queue = stream.queue
        var batch: [SendQueue.Item] = []
        batch.reserveCapacity(stream.queue.burst)
        while true {
            batch.removeAll(keepingCapacity: true)
            var open = queue.take(into: &batch, wait: false)
            if open, batch.isEmpty {
                // The queue ran dry: what is buffered goes out now (in confirmed mode the request
                // ends and its objects are confirmed), then wait for more.
                do {
                    if confirmation == nil {
                        try flush()
                    } else if requestOpen {
                        // Ended, its response unread: objects that come meanwhile go behind it.
                        try endRequest(pipelining: true)
                        continue
                    } else if responseOutstanding {
                        // Still dry: the objects are confirmed before the thread waits.
                        try readOutstanding()
                        continue
                    }
                } catch {
                    return terminate(error, current: nil, unsent: [])
                }
                open = waitForWork(into: &batch)
                dropKeptConnectionIfIdle()
            }
            guard open else { return terminate(nil, current: nil, unsent: batch[...]) }
            var index = 0
            while index < batch.count {
                if queue.isStopRequested { return terminate(nil, current: nil, unsent: batch[index...]) }
                // Move the item out (no copy of the object); what follows stays for termination.
                var item = SendQueue.Item.idleTick
                swap(&item, &batch[index])
                index += 1
                switch consume item {
                case .object(var object):
                    let chunkWent: Bool
                    do {
                        chunkWent = try write(&object)
                    } catch {
                        return terminate(error, current: object, unsent: batch[index...])
                    }
                    written(consume object, chunkWent: chunkWent)
                    if confirmationDue {
                        // The object is among the request's unconfirmed ones now, not current.
                        do {
                            try endRequest(pipelining: true)
                        } catch {
                            return terminate(error, current: nil, unsent: batch[index...])
                        }
                    }
                case .fin:
                    do {
                        try ensureRequest()
                        let marker = ObjectHeader.finMarker()
                        try writeHeader(
                            marker, hlen: HeaderCodec.encodedLength(of: marker), pduStream: options.pduSize > 0)
                        try writer.endObject()
                        try endRequest()
                    } catch {
                        return terminate(error, current: nil, unsent: batch[index...])
                    }
                    return finishTermination(.endOfStream, error: nil, current: nil, unsent: batch[index...])
                case .idleTick:
                    let more = batch[index...].contains { if case .object = $0 { true } else { false } }
                    if !requestOpen, !responseOutstanding, !more, !queue.hasObjects, let kept {
                        // An idle stream holds no connection (nor the receiver's thread for it).
                        self.kept = nil
                        closeConnection(kept.connection)
                    }
                    guard requestOpen, !more, !queue.hasObjects else { continue }
                    do {
                        try endRequest()
                        options.collector?.countIdleTeardown()
                    } catch {
                        return terminate(error, current: nil, unsent: batch[index...])
                    }
                }
            }
        }
    }

    // MARK: objects

    /// Puts an object on the wire (into the writer's buffer, or through it).
    /// - Returns: Whether a chunk went out while it was written.
    private func write(_ object: inout OutgoingObject) throws(SendError) -> Bool {
        try ensureRequest()
        let chunksBefore = writer.chunksWritten
        let hlen = object.encodedHeaderLength > 0 ? object.encodedHeaderLength : HeaderCodec.encodedLength(of: object.header)
        let usesPDUs = options.pduSize > 0
        try writeHeader(object.header, hlen: hlen, pduStream: usesPDUs)
        let size = object.header.attributes.size
        var dataBytes: Int64 = 0
        // The source moves out for the write and back (an existential copied per object would
        // be retained and released), also when the write fails: the object completes with it.
        if size != 0, let source = object.source.take() {
            do throws(SendError) {
                dataBytes = usesPDUs ? try sendPDUs(source, size: size, name: object.header.objectName)
                    : try sendData(source, size: Int(size), name: object.header.objectName)
            } catch {
                object.source = source
                throw error
            }
            object.source = source
        }
        try writer.endObject()
        counters.activity.store(true, ordering: .relaxed)
        counters.offset.store(writer.offset, ordering: .relaxed)
        if !object.header.isControl {
            counters.objects.add(1, ordering: .relaxed)
            counters.bytes.add(dataBytes, ordering: .relaxed)
            metrics.objects.increment()
            metrics.bytes.increment(by: UInt64(dataBytes))
        }
        return writer.chunksWritten != chunksBefore
    }

    /// Keeps a written object until it completes: in confirmed mode until the receiver's
    /// answer, else until its bytes are on the wire. The object moves, it is never copied.
    /// - Parameters:
    ///   - object: The object just written.
    ///   - chunkWent: Whether a chunk went out while it was written.
    private func written(_ object: consuming OutgoingObject, chunkWent: Bool) {
        if let confirmation {
            // The object waits for the receiver's answer without its source, closed and released
            // now while it is in the cache: a window of many small files holds no open files.
            object.closeSource()
            unconfirmed.append(object)
            confirmationDue = writer.offset >= confirmation.maxBytes
                || (chunkWent && requestStarted.duration(to: .now) >= confirmation.maxDelay)
            return
        }
        pending.append(object)
        if chunkWent {
            // A chunk went out while this object was written: everything before it is on the
            // wire, and this object too unless some of its bytes are still buffered.
            let last = writer.hasBufferedBytes ? pending.removeLast() : nil
            stream.completions.add(contentsOf: &pending, error: nil)
            if let last { pending.append(last) }
        }
    }

    private func writeHeader(_ header: ObjectHeader, hlen: Int, pduStream: Bool) throws(SendError) {
        _ = try writer.produce(upTo: ProtoHeader.size + hlen) { p in
            ProtoHeader(length: UInt64(hlen), flags: pduStream ? .pduStream : []).write(to: p)
            HeaderCodec.encode(header, into: p + ProtoHeader.size)
            return ProtoHeader.size + hlen
        }
    }

    /// The data of a sized object on a stream without PDUs.
    private func sendData(_ source: any ObjectSource, size: Int, name: String) throws(SendError) -> Int64 {
        var shortBy = 0
        let inMemory: Void?
        do {
            inMemory = try source.withContiguousBytes { bytes in
                guard bytes.count >= size else {
                    shortBy = size - bytes.count
                    return
                }
                try writer.writePayload(UnsafeRawBufferPointer(rebasing: bytes[..<size]))
            }
        } catch let e as SendError {
            throw e
        } catch {
            throw sourceError(error, name)
        }
        if inMemory != nil {
            if shortBy > 0 { throw shortRead(name, got: size - shortBy, size: size) }
            return Int64(size)
        }
        // No sendfile under TLS: the file's bytes go through the buffer (the gather path) to be encrypted.
        if !writer.isCompressed, !stream.url.isTLS, let region = source.fileRegion {
            if size >= FileMapping.minimumSize, let mapping = FileMapping(region, count: size) {
                try writeMapped(mapping, name: name)
                return Int64(size)
            }
            let sent = try writer.writeFile(region, count: size)
            if sent < size { throw shortRead(name, got: sent, size: size) }
            return Int64(size)
        }
        var remaining = size
        while remaining > 0 {
            let want = min(remaining, writer.roomForData)
            let n = try writer.produce(upTo: want) { (p) throws(SendError) in
                try read(source, into: p, count: want, name: name)
            }
            if n == 0 { throw shortRead(name, got: size - remaining, size: size) }
            remaining -= n
        }
        return Int64(size)
    }

    /// The data of a file mapped in full, gathered into `sendmsg` by reference.
    /// - Throws: ``SendError/Code/shortRead`` when the kernel found the mapping cut short (the
    ///   file shrank while it was sent: `EFAULT`), else what the write threw.
    private func writeMapped(_ mapping: borrowing FileMapping, name: String) throws(SendError) {
        do throws(SendError) {
            try writer.writePayload(mapping.bytes)
        } catch {
            guard let cause = error.cause as? SystemError, cause.errno == EFAULT else { throw error }
            throw SendError(
                code: .shortRead,
                message: "stream \(stream): \(name) shrank while it was sent: its mapped file has fewer than "
                    + "\(mapping.bytes.count) bytes now (\(cause))",
                cause: cause)
        }
    }

    /// The data of an object on a PDU stream: PDUs of at most `pduSize` bytes (header
    /// included); the last one carries `pduLast`. Unsized objects end at the source's end.
    private func sendPDUs(_ source: any ObjectSource, size: Int64, name: String) throws(SendError) -> Int64 {
        let payloadMax = options.pduSize - ProtoHeader.size
        let unsized = size < 0
        var total: Int64 = 0
        var last = false
        while !last {
            let want = unsized ? payloadMax : Int(min(Int64(payloadMax), size - total))
            var eof = false
            var got = 0
            _ = try writer.produce(upTo: ProtoHeader.size + want) { (p) throws(SendError) in
                while got < want {
                    let n = try read(source, into: p + ProtoHeader.size + got, count: want - got, name: name)
                    if n == 0 {
                        eof = true
                        break
                    }
                    got += n
                }
                last = unsized ? eof : (total + Int64(got) == size)
                ProtoHeader(length: UInt64(got), flags: last ? [.pdu, .lastPDU] : .pdu).write(to: p)
                return ProtoHeader.size + got
            }
            total += Int64(got)
            if !unsized && eof && !last { throw shortRead(name, got: Int(total), size: Int(size)) }
        }
        return total
    }

    private func read(_ source: any ObjectSource, into p: UnsafeMutableRawPointer, count: Int, name: String)
        throws(SendError) -> Int
    {
        do {
            return try source.read(into: UnsafeMutableRawBufferPointer(start: p, count: count))
        } catch let e as SendError {
            throw e
        } catch {
            throw sourceError(error, name)
        }
    }

    private func sourceError(_ error: any Error, _ name: String) -> SendError {
        SendError(
            code: .sourceFailed, message: "stream \(stream): reading \(name) failed: \(error)",
            cause: error)
    }

    private func shortRead(_ name: String, got: Int, size: Int) -> SendError {
        SendError(
            code: .shortRead,
            message: "stream \(stream): read shorter than size: \(name) yielded \(got) of \(size) bytes")
    }

    // MARK: requests

    /// Sends what is buffered and completes the objects it held.
    private func flush() throws(SendError) {
        guard requestOpen else { return }
        try writer.flush()
        stream.completions.add(contentsOf: &pending, error: nil)
    }

    private func ensureRequest() throws(SendError) {
        if requestOpen { return }
        var attempts = ConnectAttempts(options)
        var connection = stream.dryRun ? nil : reusedConnection()
        if connection == nil, !stream.dryRun { connection = try connect(&attempts) }
        var head = "PUT \(stream.url.path) HTTP/1.1\r\nHost: \(stream.url.address)\r\nUser-Agent: objstream\r\n"
        head += "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
        head += "Ais-Session-Id: \(stream.sessionID)\r\nAis-Caller-Id: \(options.senderID)\r\n"
        if let cluster = options.cluster { head += cluster.headers(trname: stream.endpointName, sessionID: stream.sessionID) }
        if options.compressed { head += "Ais-Compress: lz4\r\n" }
        head += "\r\n"
        stream.liveConnection.withLock { $0 = connection }
        if stream.queue.isStopRequested {
            connection?.close()
            stream.liveConnection.withLock { $0 = nil }
            throw stoppedError()
        }
        try writer.begin(head: Array(head.utf8), connection: connection) { [unowned self] (reset) throws(SendError) in
            try reconnect(after: reset, &attempts)
        }
        requestOpen = true
        requestStarted = .now
        counters.requestOpen.store(true, ordering: .relaxed)
        counters.requests.add(1, ordering: .relaxed)
        counters.requestStartObjects.store(counters.objects.load(ordering: .relaxed), ordering: .relaxed)
        counters.requestStartBytes.store(counters.bytes.load(ordering: .relaxed), ordering: .relaxed)
        counters.offset.store(0, ordering: .relaxed)
        metrics.requests.increment()
    }

    /// The kept connection for the next request: behind an outstanding response, or when the
    /// receiver has not closed it. Else it is closed, and nil.
    private func reusedConnection() -> SocketConnection? {
        guard let kept else { return nil }
        self.kept = nil
        if responseOutstanding || kept.connection.isIdleAndOpen { return kept.connection }
        closeConnection(kept.connection)
        return nil
    }

    /// After a wait for work: closes a kept connection that idled for half a second or more,
    /// half the shortest `header_timeout` a gateway allows (1 s), so that the next request
    /// never races the receiver closing it.
    private func dropKeptConnectionIfIdle() {
        guard let kept, !responseOutstanding, kept.since.duration(to: .now) >= .milliseconds(500) else { return }
        self.kept = nil
        closeConnection(kept.connection)
    }

    /// Connects, retrying refused and timed-out attempts, temporary name resolution failures
    /// and (`reset`) a connection reset before its first byte with backoff for the retry window.
    private func connect(_ attempts: inout ConnectAttempts, after reset: SystemError? = nil) throws(SendError)
        -> SocketConnection
    {
        var failure: (any Error & Sendable)? = reset
        while true {
            if let e = failure {
                let elapsed = attempts.elapsed
                if elapsed >= options.retryWindow {
                    throw SendError(
                        code: .connectFailed,
                        message: "stream \(stream): cannot connect to \(stream.url.address): \(e) "
                            + "(\(attempts.count) attempts in \(elapsed.secondsText))",
                        cause: e)
                }
                metrics.retries.increment()
                if !stream.queue.sleep(for: min(attempts.backoff.next(), options.retryWindow - elapsed)) {
                    throw stoppedError()
                }
            }
            if stream.queue.isStopRequested { throw stoppedError() }
            attempts.count += 1
            do {
                return try SocketConnection.connect(to: stream.url, options: options)
            } catch where SocketConnection.isRetryable(error) {
                failure = error
            } catch let e as SendError {
                throw e
            } catch {
                throw SendError(
                    code: .connectFailed, message: "stream \(stream): cannot connect to \(stream.url.address): \(error)",
                    cause: error)
            }
        }
    }

    /// Ends the request body at a frame boundary and reads the response; completes the
    /// request's objects when written, or in confirmed mode by the receiver's answer.
    /// - Parameter pipelining: In confirmed mode on a connection that carries several
    ///   requests: leave the response unread (the next request goes out behind it), after
    ///   reading the previous request's.
    private func endRequest(pipelining: Bool = false) throws(SendError) {
        confirmationDue = false
        try writer.finish()
        stream.completions.add(contentsOf: &pending, error: nil)
        let connection = writer.connection
        requestOpen = false
        counters.requestOpen.store(false, ordering: .relaxed)
        writer.detach()
        guard let connection else {
            // A dry run: nothing to confirm.
            swap(&awaiting, &unconfirmed)
            completeAwaiting(upTo: awaiting.count, error: nil)
            return
        }
        do throws(SendError) {
            if responseOutstanding, try !readResponse(on: connection) {
                // The receiver closes after the previous answer: it took nothing of this request.
                closeConnection(connection)
                let error = SendError(
                    code: .network,
                    message: "stream \(stream): \(stream.url.address) closed the connection after answering the "
                        + "previous request; the \(unconfirmed.count) objects written behind it were not taken")
                stream.completions.add(contentsOf: &unconfirmed, error: error)
                return
            }
            swap(&awaiting, &unconfirmed)
            responseOutstanding = true
            connection.requests += 1
            let mayCarryMore = confirmation.map {
                $0.requestsPerConnection == 0 || connection.requests < $0.requestsPerConnection
            } ?? false
            if pipelining, mayCarryMore, receiverKeepsConnections {
                kept = (connection, .now)
                return
            }
            if try readResponse(on: connection), mayCarryMore {
                kept = (connection, .now)
            } else {
                closeConnection(connection)
            }
        } catch {
            closeConnection(connection)
            throw error
        }
    }

    /// Reads the outstanding response on the kept connection and completes its request's objects.
    private func readOutstanding() throws(SendError) {
        guard let kept else {
            responseOutstanding = false
            return
        }
        do throws(SendError) {
            if try readResponse(on: kept.connection) { return }
        } catch {
            self.kept = nil
            closeConnection(kept.connection)
            throw error
        }
        self.kept = nil
        closeConnection(kept.connection)
    }

    /// Reads the response to the request whose objects are `awaiting` and completes them by it.
    /// - Parameters:
    ///   - connection: The request's connection.
    ///   - timeout: How long to wait for it (default: the response timeout).
    /// - Returns: Whether the connection may carry another request.
    private func readResponse(on connection: SocketConnection, timeout: Duration? = nil) throws(SendError) -> Bool {
        let response = try connection.readResponse(timeout: timeout ?? options.responseTimeout)
        receiverKeepsConnections = response.keepsConnection
        guard (200..<300).contains(response.status) else {
            // What the receiver took before it failed (its error body says how many) is delivered.
            if let taken = response.objectsTaken { completeAwaiting(upTo: prefix(holding: taken), error: nil) }
            throw statusError(response)
        }
        if confirmation != nil { try settle(by: response) } else { awaiting.removeAll(keepingCapacity: true) }
        responseOutstanding = false
        return response.keepsConnection
    }

    /// Completes the confirmed request's objects by the receiver's answer: an empty body
    /// delivers all, a receipt delivers all but those it lists as refused.
    /// - Throws: ``SendError/Code/receiptMismatch`` (nothing delivered) when the receipt does not
    ///   account for every data object, ``SendError/Code/badResponse`` when it is not a receipt.
    private func settle(by response: HTTPResponse) throws(SendError) {
        guard let receipt = try response.receipt() else {
            return completeAwaiting(upTo: awaiting.count, error: nil)
        }
        let dataObjects = awaiting.count - controls(in: awaiting.indices)
        guard receipt.accountedObjects == dataObjects, receipt.refusedUnlisted == nil else {
            throw SendError(
                code: .receiptMismatch,
                message: "stream \(stream): \(stream.url.address) accounts for \(receipt.accountedObjects) of the "
                    + "request's \(dataObjects) objects (\(receipt.objects) taken, \(receipt.refused.count) refused)")
        }
        if receipt.refused.isEmpty { return completeAwaiting(upTo: awaiting.count, error: nil) }
        var done = 0
        for refusal in receipt.refused {
            let at = prefix(holding: refusal.index)
            guard at < awaiting.count, awaiting[at].header.objectName == refusal.object else {
                throw SendError(
                    code: .receiptMismatch,
                    message: "stream \(stream): \(stream.url.address) refused object #\(refusal.index) "
                        + "'\(refusal.object)', which is not that object of the request")
            }
            if at > done { deliver(done..<at) }
            let name = awaiting[at].header.objectName
            let error = SendError(
                code: .refused,
                message: "stream \(stream): \(stream.url.address) refused \(refusal.bucket) \(name): "
                    + "\(refusal.code): \(refusal.error)",
                receiverCode: refusal.code)
            stream.completions.add([awaiting[at]], error: error)
            metrics.refused.increment()
            done = at + 1
        }
        completeAwaiting(upTo: awaiting.count, error: nil, from: done)
    }

    /// The count of awaiting objects up to (not including) the data object at `dataIndex`:
    /// control objects count where they stand.
    private func prefix(holding dataIndex: Int) -> Int {
        var seen = 0
        for (i, object) in awaiting.enumerated() where !object.header.isControl {
            if seen == dataIndex { return i }
            seen += 1
        }
        return awaiting.count
    }

    /// Completes `awaiting[from..<end]` and drops `awaiting[..<end]`.
    private func completeAwaiting(upTo end: Int, error: SendError?, from start: Int = 0) {
        guard end > 0 else { return }
        if error == nil, confirmation != nil, end > start { countDelivered(start..<end) }
        if start == 0 && end == awaiting.count {
            stream.completions.add(contentsOf: &awaiting, error: error)
            return
        }
        if end > start { stream.completions.add(Array(awaiting[start..<end]), error: error) }
        awaiting.removeFirst(end)
    }

    /// Completes `awaiting[range]` as delivered (a receipt's refusals split the request).
    private func deliver(_ range: Range<Int>) {
        countDelivered(range)
        stream.completions.add(Array(awaiting[range]), error: nil)
    }

    private func countDelivered(_ range: Range<Int>) {
        metrics.delivered.increment(by: UInt64(range.count - controls(in: range)))
    }

    /// The control objects in `awaiting[range]`, read in place (no object copied).
    private func controls(in range: Range<Int>) -> Int {
        var count = 0
        for i in range where awaiting[i].header.isControl { count += 1 }
        return count
    }

    private func statusError(_ response: HTTPResponse) -> SendError {
        SendError(
            code: .httpStatus,
            message: "stream \(stream): \(stream.url.address) answered \(response.status) \(response.reason): \(response.message)",
            status: response.status, receiverCode: response.code)
    }

    /// A new connection for the request whose first write found its connection reset before
    /// it took a byte: nothing of the request reached the receiver, so it is retried like a
    /// refused connect, within the request's retry window.
    private func reconnect(after reset: SystemError, _ attempts: inout ConnectAttempts) throws(SendError)
        -> SocketConnection
    {
        if let old = writer.connection { closeConnection(old) }
        let connection = try connect(&attempts, after: reset)
        stream.liveConnection.withLock { $0 = connection }
        if stream.queue.isStopRequested {
            closeConnection(connection)
            throw stoppedError()
        }
        return connection
    }

    private func closeConnection(_ connection: SocketConnection) {
        stream.liveConnection.withLock { $0 = nil }
        connection.close()
    }

    private func stoppedError() -> SendError {
        SendError(code: .stopped, message: "stream \(stream) stopped")
    }

    /// Waits for the next items. A stream that nothing but this thread holds any more (dropped
    /// without `fin()` or `stop()`: no one can send on it again) ends itself: with the
    /// end-of-stream marker when a request is open, else by stopping; the threads then exit
    /// and the stream is freed. Checked each collector tick (1 s without a collector).
    private func waitForWork(into batch: inout [SendQueue.Item]) -> Bool {
        let period = options.collector?.tick ?? .seconds(1)
        while true {
            if let open = stream.queue.take(into: &batch, waitingAtMost: period) { return open }
            guard isKnownUniquelyReferenced(&stream) else { continue }
            if requestOpen { stream.queue.pushControl(.fin) } else { stream.queue.requestStop() }
        }
    }

    // MARK: termination

    /// Terminates after an error (or a stop): stopped when a stop was requested.
    private func terminate(_ error: SendError?, current: OutgoingObject?, unsent: ArraySlice<SendQueue.Item>) {
        if stream.queue.isStopRequested || error?.code == .stopped {
            return finishTermination(.stopped, error: stoppedError(), current: current, unsent: unsent)
        }
        var error = error ?? stoppedError()
        if responseOutstanding, let connection = writer.connection ?? kept?.connection {
            // The request written before the failed one was answered, or soon is: on a broken
            // connection the answer is here already or never comes.
            do throws(SendError) {
                _ = try readResponse(
                    on: connection, timeout: error.code == .network ? .milliseconds(500) : options.responseTimeout)
            } catch let answer where answer.code == .httpStatus {
                var explained = answer
                explained.cause = error
                error = explained
            } catch {}
        }
        if error.code == .network, let connection = writer.connection {
            // What the receiver said before the connection broke: an error response, or under
            // TLS an alert (it refused the sender's certificate, say).
            var explained: SendError?
            do {
                let response = try connection.readResponse(timeout: .milliseconds(500))
                if !(200..<300).contains(response.status) { explained = statusError(response) }
            } catch let refusal where refusal.code == .tls {
                explained = refusal
            } catch {}
            if var explained {
                explained.cause = error
                error = explained
            }
        }
        finishTermination(.error(error), error: error, current: current, unsent: unsent)
    }

    /// Ends the stream: everything not yet on the wire completes with the error, in order
    /// (buffered, current, taken from the queue, still queued).
    private func finishTermination(
        _ reason: TerminationReason, error: SendError?, current: OutgoingObject?, unsent: ArraySlice<SendQueue.Item>
    ) {
        if let connection = writer.connection { closeConnection(connection) }
        writer.detach()
        requestOpen = false
        counters.requestOpen.store(false, ordering: .relaxed)
        // Awaiting objects were written before the unconfirmed ones, and those before anything
        // pending (only confirmed mode uses the first two).
        if let kept { closeConnection(kept.connection) }
        kept = nil
        responseOutstanding = false
        var failed = awaiting + unconfirmed + pending
        awaiting.removeAll()
        unconfirmed.removeAll()
        pending.removeAll()
        if let current { failed.append(current) }
        var neverSent: [OutgoingObject] = []
        for case .object(let o) in unsent { neverSent.append(o) }
        let left = stream.queue.close(reason)
        let failure = error ?? SendError(code: .terminated, message: "stream \(stream) terminated (\(reason))")
        var untouched = failure
        untouched.unsent = true
        stream.completions.add(failed, error: failure)
        stream.completions.add(neverSent, error: untouched)
        stream.completions.add(left, error: untouched)
        stream.didTerminate(reason)
        stream.completions.finish()
    }
}

extension Duration {
    /// Seconds with one decimal, like `10.2s`.
    var secondsText: String {
        let tenths = Int(seconds * 10)
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
