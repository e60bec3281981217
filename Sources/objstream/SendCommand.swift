import ObjStreamConfig
import ObjStreamSend
import ObjStreamWire

/// `objstream send`: sends files or synthetic objects to a receiver on one or more streams.
enum SendCommand: Subcommand {
    static let name = "send"
    static let usage = """
        usage: objstream send URL PATH... [--bucket BUCKET] [options]
               objstream send URL --synthetic COUNT --size SIZE [options]

        Sends files (directories recursively; object names are paths relative to the
        argument) or COUNT generated objects of SIZE bytes, then ends every stream.
          URL            http://host:port/v1/objstream/NAME (no path: /v1/objstream/default)
          --synthetic COUNT --size SIZE
                         send COUNT generated objects of SIZE bytes (like 4KiB) instead of files
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
        object or stream failed (the first 20 named, the rest counted by error code), 2 for
        a usage error. SIGINT or SIGTERM stops the streams (queued objects fail) and then
        lingers; a second signal during the linger ends it, a second one before exits at once.
        """

    /// Runs the command with its arguments.
    /// - Parameter arguments: The arguments after `send`.
    /// - Returns: 0 when everything was sent, 1 when anything failed, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        OpenFileLimit.raiseToHardLimit()
        let parsed: SendArguments
        do {
            parsed = try SendArguments(parsing: arguments)
        } catch {
            return fail(error.message)
        }
        if parsed.help {
            print(usage)
            return 0
        }
        var options = StreamOptions()
        if let configPath = parsed.configPath {
            do {
                options = StreamOptions(configuration: try ObjStreamConfiguration.load(contentsOf: configPath))
            } catch {
                StandardError.write("objstream send: \(configPath):\n\(error.description)\n")
                return 2
            }
        }
        if let pdu = parsed.pdu { options.pduSize = pdu }
        if parsed.compress { options.compressed = true }
        options.senderID = parsed.sender

        // Synthetic items are made as they are sent: a count of 100 million costs no memory up front.
        let items: LazyMapCollection<Range<Int>, SendItem>
        let total: Int64
        if let synthetic = parsed.synthetic, let size = parsed.syntheticSize {
            items = (0..<synthetic).lazy.map {
                SendItem(name: "synthetic/\($0)", size: Int64(size), atime: 0, path: nil)
            }
            total = Int64(synthetic) * Int64(size)
        } else {
            do {
                let found = try DirectoryWalk.items(parsed.paths)
                items = found.indices.lazy.map { found[$0] }
                total = found.reduce(Int64(0)) { $0 + $1.size }
            } catch {
                StandardError.write("objstream send: \(error.message)\n")
                return 1
            }
        }
        return send(items, total: total, parsed, options: options)
    }

    /// Sends the items, prints the summary, lingers for the metrics endpoint.
    /// - Parameters:
    ///   - items: The objects, in order.
    ///   - total: Their bytes, for the progress line.
    ///   - arguments: The URL, bucket, stream count, synthetic size, metrics endpoint and linger.
    ///   - options: The streams' options.
    /// - Returns: 0 when everything was sent, 1 when anything failed or a signal stopped the send, 2 when the
    ///   streams or the metrics endpoint could not be set up.
    private static func send(
        _ items: LazyMapCollection<Range<Int>, SendItem>, total: Int64, _ arguments: SendArguments,
        options: StreamOptions
    ) -> Int32 {
        // Blocked before any thread starts, so that only the signal thread takes them.
        StopSignals.block()
        var listener: MetricsListener?
        if let address = arguments.metricsListen {
            do {
                let started = try MetricsListener(address: address)
                StandardError.write("objstream send: metrics on \(started.address)\n")
                listener = started
            } catch {
                StandardError.write("objstream send: --metrics-listen \(address): \(error)\n")
                return 2
            }
        }
        defer { listener?.stop() }
        let progress = SendProgress()
        let files = OpenFileBudget(limit: OpenFileLimit.current, streams: arguments.streamCount)
        var options = options
        options.sentCallback = { header, context, error in
            (context as? OpenFileBudget)?.release()  // a file's object: its file is closed now
            if let error {
                progress.failures.record(header.objectName, error)
            } else {
                progress.delivered(size: header.attributes.size)
            }
        }
        let streams: [ObjStream]
        do {
            streams = try (0..<arguments.streamCount).map { _ in try ObjStream(url: arguments.url, options: options) }
        } catch {
            StandardError.write("objstream send: \(error)\n")
            return 2
        }
        let signals = StopSignals { for stream in streams { stream.stop() } }
        let started = ContinuousClock.now
        let reporter = ProgressReporter(progress, totalBytes: total, itemCount: items.count, started: started)
        let syntheticSize = arguments.syntheticSize ?? 0
        let payload = syntheticSize > 0 ? PayloadSeed.bytes(syntheticSize) : []
        for (n, item) in items.enumerated() {
            if !signals.isSending { break }
            let header = ObjectHeader(
                senderID: options.senderID, bucket: arguments.bucket, objectName: item.name,
                attributes: ObjectAttributes(size: item.size, atime: item.atime))
            let source: (any ObjectSource)?
            var context: OpenFileBudget?
            if item.size == 0 {
                source = nil
            } else if let path = item.path {
                files.acquire()
                do {
                    source = try FileSource(path: path)
                    context = files
                } catch {
                    files.release()
                    progress.failures.record(item.name, error)
                    continue
                }
            } else {
                source = BytesSource(payload)
            }
            // A refused object is completed (and its failure recorded) by the callback.
            try? streams[n % streams.count].send(OutgoingObject(header: header, source: source, context: context))
        }
        for stream in streams { stream.fin() }
        reporter.stop()
        for stream in streams {
            if let error = stream.terminationReason?.error { progress.failures.record("stream \(stream)", error) }
        }
        reporter.clear()
        let summary = SendSummary(progress, elapsed: started.duration(to: .now))
        summary.write()  // the summary is out before the linger
        let interrupted = signals.beginLinger()
        if listener != nil && arguments.linger > .zero { signals.linger(for: arguments.linger) }
        return summary.failed == 0 && !interrupted ? 0 : 1
    }
}
