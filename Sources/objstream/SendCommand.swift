import Foundation
import ObjStreamConfig
import ObjStreamSend
import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `objstream send`: sends files or synthetic objects to a receiver on one or more streams.
enum SendCommand {
    static let usage = """
        usage: objstream send URL PATH... [--bucket BUCKET] [options]
               objstream send URL --synthetic COUNT --size SIZE [options]

        Sends files (directories recursively; object names are paths relative to the
        argument) or COUNT generated objects of SIZE bytes, then ends every stream.
          URL            http://host:port/v1/objstream/NAME (no path: /v1/objstream/default)
          --bucket B     the objects' bucket (default ais://objstream): ais://b, s3://b, gs://b, ...
          --pdu SIZE     send data as PDUs of SIZE bytes (header included), 32..128KiB
          --compress     compress the stream with lz4
          --streams N    spread the objects round-robin over N streams (default 1)
          --sender SID   the sender id (Ais-Caller-Id and the headers' SID)
          --config FILE  take transport and sender settings from a configuration file
          --metrics-listen ADDR:PORT
                         serve GET /metrics (objstream_tx_*, objstream_collector_*, process)
                         and GET /healthz on an IPv4 ADDR:PORT while sending; port 0 picks a
                         free one, named by the line "objstream send: metrics on HOST:PORT"
          --linger DURATION
                         after the send (and its summary), keep the metrics endpoint up this
                         long for a final scrape, like 15s (default 0)
        Prints a progress line on a terminal and always a final summary; exits 1 when any
        object or stream failed (each one listed), 2 for a usage error. SIGINT or SIGTERM
        stops the streams (queued objects fail) and then lingers; a second signal during
        the linger ends it, a second one before exits at once.
        """

    /// One object to send: its name and where its bytes come from.
    private struct Item {
        var name: String
        var size: Int64
        var atime: Int64
        var path: String?
    }

    /// Runs the command with its arguments; returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        var positional: [String] = []
        var bucketText = "ais://objstream"
        var pdu: Int?
        var compress = false
        var streamCount = 1
        var sender = ""
        var configPath: String?
        var synthetic: Int?
        var syntheticSize: Int?
        var metricsListen: ListenAddress?
        var linger = Duration.zero
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "-h" || argument == "--help" {
                print(usage)
                return 0
            }
            if argument == "--compress" {
                compress = true
                continue
            }
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            guard [
                "--bucket", "--pdu", "--streams", "--sender", "--config", "--synthetic", "--size", "--metrics-listen",
                "--linger",
            ].contains(argument)
            else { return fail("unknown option \(argument)") }
            guard i < arguments.count else { return fail("\(argument) needs a value") }
            let value = arguments[i]
            i += 1
            switch argument {
            case "--bucket": bucketText = value
            case "--pdu":
                guard let n = ByteSize.parse(value), n >= 32, n <= WireLimits.maxPDUSize else {
                    return fail("--pdu '\(value)' must be a size of 32B..128KiB")
                }
                pdu = n
            case "--streams":
                guard let n = Int(value), n >= 1, n <= 256 else { return fail("--streams '\(value)' must be 1..256") }
                streamCount = n
            case "--sender": sender = value
            case "--config": configPath = value
            case "--metrics-listen":
                guard let address = ListenAddress(value) else {
                    return fail("--metrics-listen '\(value)' is not ADDR:PORT (like 127.0.0.1:9091)")
                }
                metricsListen = address
            case "--linger":
                guard let duration = DurationFormat.parse(value) else {
                    return fail("--linger '\(value)' is not a duration (like 15s)")
                }
                linger = duration
            case "--synthetic":
                guard let n = Int(value), n >= 0 else { return fail("--synthetic '\(value)' must be a count >= 0") }
                synthetic = n
            default:
                guard let n = ByteSize.parse(value) else { return fail("--size '\(value)' is not a size (like 4KiB)") }
                syntheticSize = n
            }
        }
        guard let url = positional.first else { return fail("URL is required") }
        let paths = Array(positional.dropFirst())
        if synthetic != nil && !paths.isEmpty { return fail("give either PATHs or --synthetic, not both") }
        if synthetic == nil && paths.isEmpty { return fail("give PATHs to send, or --synthetic COUNT --size SIZE") }
        if synthetic != nil && syntheticSize == nil { return fail("--synthetic needs --size") }
        let bucket: Bucket
        do { bucket = try Bucket(parsing: bucketText) } catch { return fail("--bucket '\(bucketText)': \(error.message)") }

        var options = StreamOptions()
        if let configPath {
            do {
                options = StreamOptions(configuration: try ObjStreamConfiguration.load(contentsOf: configPath))
            } catch {
                FileHandleError.write("objstream send: \(configPath):\n\(error.description)\n")
                return 2
            }
        }
        if let pdu { options.pduSize = pdu }
        if compress { options.compressed = true }
        options.senderID = sender

        // Synthetic items are made as they are sent: a count of 100 million costs no memory up front.
        let items: LazyMapCollection<Range<Int>, Item>
        let total: Int64
        if let synthetic, let syntheticSize {
            items = (0..<synthetic).lazy.map { Item(name: "synthetic/\($0)", size: Int64(syntheticSize), atime: 0, path: nil) }
            total = Int64(synthetic) * Int64(syntheticSize)
        } else {
            switch collect(paths) {
            case .success(let found):
                items = found.indices.lazy.map { found[$0] }
                total = found.reduce(Int64(0)) { $0 + $1.size }
            case .failure(let message):
                FileHandleError.write("objstream send: \(message.text)\n")
                return 1
            }
        }
        return send(items, total: total, to: endpoint(url), bucket: bucket, streams: streamCount, options: options,
                    syntheticSize: syntheticSize ?? 0, metricsListen: metricsListen, linger: linger)
    }

    /// What went wrong collecting the files.
    private struct CollectError: Error {
        var text: String
    }

    /// The URL with `/v1/objstream/default` when it has no path.
    private static func endpoint(_ url: String) -> String {
        let rest = url.dropFirst("http://".count)
        return url.hasPrefix("http://") && !rest.contains("/") ? url + "/v1/objstream/default" : url
    }

    /// Every regular file under the paths, named relative to its argument.
    private static func collect(_ paths: [String]) -> Result<[Item], CollectError> {
        var items: [Item] = []
        let fm = FileManager.default
        func item(_ path: String, _ name: String) -> Item? {
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            let atime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            return Item(name: name, size: Int64(st.st_size), atime: atime, path: path)
        }
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                return .failure(CollectError(text: "\(path): no such file or directory"))
            }
            if !isDir.boolValue {
                guard let it = item(path, (path as NSString).lastPathComponent) else {
                    return .failure(CollectError(text: "\(path): not a regular file"))
                }
                items.append(it)
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else {
                return .failure(CollectError(text: "\(path): cannot list the directory"))
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String { found.append(relative) }
            for relative in found.sorted() {
                if let it = item(path + "/" + relative, relative) { items.append(it) }
            }
        }
        return .success(items)
    }

    /// Counters shared by the callbacks, the progress line and the summary.
    private final class Progress: Sendable {
        let objects = Atomic(0)
        let bytes = Atomic(0)
        let failures = Mutex<[String]>([])
    }

    /// Where a send is: signals stop a running send, end a linger, and kill a stopping one.
    private enum Phase {
        static let sending = 0
        static let stopping = 1
        static let lingering = 2
    }

    /// SIGTERM and SIGINT: the signals that stop a send.
    private static var stopSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        return signals
    }

    /// Sends the items, prints the summary, lingers for the metrics endpoint.
    /// - Parameters:
    ///   - items: The objects, in order.
    ///   - total: Their bytes, for the progress line.
    ///   - url: The endpoint URL.
    ///   - bucket: The objects' bucket.
    ///   - count: How many streams share the objects.
    ///   - options: The streams' options.
    ///   - syntheticSize: The size of synthetic objects (0: files).
    ///   - metricsListen: Where to serve `/metrics` and `/healthz`, if anywhere.
    ///   - linger: How long the metrics endpoint stays up after the summary.
    /// - Returns: 0 when everything was sent, 1 when anything failed or a signal stopped the send, 2 when the
    ///   streams or the metrics endpoint could not be set up.
    private static func send(
        _ items: LazyMapCollection<Range<Int>, Item>, total: Int64, to url: String, bucket: Bucket,
        streams count: Int, options: StreamOptions, syntheticSize: Int, metricsListen: ListenAddress?, linger: Duration
    ) -> Int32 {
        // Blocked before any thread starts, so that only the signal thread below takes them.
        var signals = stopSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var listener: MetricsListener?
        if let metricsListen {
            do {
                let started = try MetricsListener(address: metricsListen)
                FileHandleError.write("objstream send: metrics on \(started.address)\n")
                listener = started
            } catch {
                FileHandleError.write("objstream send: --metrics-listen \(metricsListen): \(error)\n")
                return 2
            }
        }
        defer { listener?.stop() }
        let progress = Progress()
        var options = options
        options.sentCallback = { header, _, error in
            if let error {
                progress.failures.withLock { $0.append("\(header.objectName): \(error)") }
            } else {
                progress.objects.add(1, ordering: .relaxed)
                progress.bytes.add(Int(header.attributes.size), ordering: .relaxed)
            }
        }
        let streams: [ObjStream]
        do {
            streams = try (0..<count).map { _ in try ObjStream(url: url, options: options) }
        } catch {
            FileHandleError.write("objstream send: \(error)\n")
            return 2
        }
        let phase = Atomic(Phase.sending)
        let lingerEnded = DispatchSemaphore(value: 0)
        Thread {
            var signals = stopSignals
            var received: Int32 = 0
            while true {
                guard sigwait(&signals, &received) == 0 else { continue }
                let (stopped, was) = phase.compareExchange(
                    expected: Phase.sending, desired: Phase.stopping, ordering: .acquiringAndReleasing)
                if stopped {
                    FileHandleError.write("objstream send: signal \(received): stopping the streams\n")
                    for stream in streams { stream.stop() }
                } else if was == Phase.lingering {
                    lingerEnded.signal()
                } else {
                    _exit(128 + received)
                }
            }
        }.start()
        let started = ContinuousClock.now
        let done = Atomic(false)
        let itemCount = items.count
        if isatty(2) != 0 {
            Thread {
                while !done.load(ordering: .acquiring) {
                    usleep(500_000)
                    if done.load(ordering: .acquiring) { break }
                    FileHandleError.write("\r" + line(progress, total: total, items: itemCount, since: started) + "   ")
                }
            }.start()
        }
        let payload = syntheticSize > 0 ? PayloadSeed.bytes(syntheticSize) : []
        for (n, item) in items.enumerated() {
            if phase.load(ordering: .acquiring) != Phase.sending { break }
            let header = ObjectHeader(
                senderID: options.senderID, bucket: bucket, objectName: item.name,
                attributes: ObjectAttributes(size: item.size, atime: item.atime))
            let source: (any ObjectSource)?
            if item.size == 0 {
                source = nil
            } else if let path = item.path {
                do {
                    source = try FileSource(path: path)
                } catch {
                    progress.failures.withLock { $0.append("\(item.name): \(error)") }
                    continue
                }
            } else {
                source = BytesSource(payload)
            }
            // A refused object is completed (and its failure recorded) by the callback.
            try? streams[n % count].send(OutgoingObject(header: header, source: source))
        }
        for stream in streams { stream.fin() }
        done.store(true, ordering: .releasing)
        for stream in streams {
            if let error = stream.terminationReason?.error {
                progress.failures.withLock { $0.append("stream \(stream): \(error)") }
            }
        }
        if isatty(2) != 0 { FileHandleError.write("\r\u{1b}[K") }
        let failures = progress.failures.withLock { $0 }
        for failure in failures { FileHandleError.write("failed: \(failure)\n") }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let bytes = progress.bytes.load(ordering: .relaxed)
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        print(
            "sent \(progress.objects.load(ordering: .relaxed)) objects, \(bytes) bytes in "
                + String(format: "%.2f s (%.1f MB/s), %d failed", seconds, rate, failures.count))
        fflush(nil)  // the summary is out before the linger
        let interrupted = phase.exchange(Phase.lingering, ordering: .acquiringAndReleasing) != Phase.sending
        if listener != nil && linger > .zero {
            _ = lingerEnded.wait(timeout: .now() + .nanoseconds(Int(DurationFormat.nanoseconds(linger))))
        }
        return failures.isEmpty && !interrupted ? 0 : 1
    }

    /// The progress line: objects, bytes, rate and ETA.
    private static func line(_ p: Progress, total: Int64, items: Int, since: ContinuousClock.Instant) -> String {
        let elapsed = since.duration(to: .now)
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let bytes = Double(p.bytes.load(ordering: .relaxed))
        let rate = bytes / seconds
        let eta = rate > 0 ? (Double(total) - bytes) / rate : 0
        return String(
            format: "%d/%d objects, %.1f/%.1f MB, %.1f MB/s, ETA %.0f s", p.objects.load(ordering: .relaxed), items,
            bytes / 1e6, Double(total) / 1e6, rate / 1e6, eta)
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandleError.write("objstream send: \(message)\n\(usage)\n")
        return 2
    }
}

/// The bytes of synthetic objects: one shared buffer, a cheap non-repeating pattern.
enum PayloadSeed {
    static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
            var x: UInt64 = 0x9E37_79B9_7F4A_7C15
            var i = 0
            while i < count {
                x ^= x << 13
                x ^= x >> 7
                x ^= x << 17
                buffer[i] = UInt8(truncatingIfNeeded: x)
                i += 1
            }
            n = count
        }
    }
}
