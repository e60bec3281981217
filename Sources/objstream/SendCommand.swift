import ObjStreamChecksum
import ObjStreamConfig
import ObjStreamSend
import ObjStreamWire

/// `objstream send`: sends files or synthetic objects to a receiver on one or more streams.
enum SendCommand: Subcommand {
    static let name = "send"
    static let usage = """
        usage: objstream send URL PATH... [--bucket BUCKET] [options]
               objstream send URL --synthetic COUNT --size SIZE [options]
               objstream send --cluster FILE --node ID --trname NAME (--broadcast | --to ID,ID)
                              (PATH... | --synthetic COUNT --size SIZE) [options]

        Sends files (directories recursively; object names are paths relative to the
        argument) or COUNT generated objects of SIZE bytes, then ends every stream.
          URL            http://host:port/v1/objstream/NAME (no path: /v1/objstream/default),
                         or https:// for TLS (the receiver's certificate must name host;
                         files then go through the buffer, never sendfile)
          --ca FILE      trust the PEM authorities in FILE for the receiver's certificate
                         (default: the system's trust store)
          --tls-cert FILE --tls-key FILE
                         present this PEM certificate and key (mutual TLS)
          --synthetic COUNT --size SIZE
                         send COUNT generated objects of SIZE bytes (like 4KiB) instead of files
          --cluster FILE --node ID --trname NAME (--broadcast | --to ID,ID)
                         send to members of the cluster map FILE (like config/cluster.json)
                         instead of a URL: from node ID (never to itself) to every other
                         member or to the listed ones, at <their url>/v1/objstream/NAME, with
                         --streams N streams each; a copy that failed goes again to its node
                         only, after that node's broken streams were reopened. The summary
                         and --report count copies (one per object and destination), add a
                         line per destination ("node ID: sent N objects, B bytes, F failed")
                         and name the node of each failure
          --bucket B     the objects' bucket (default ais://objstream): ais://b, s3://b, gs://b, ...
          --pdu SIZE     send data as PDUs of SIZE bytes (header included), 32..128KiB
          --compress     compress the stream with lz4
          --streams N    spread the objects round-robin over N streams (default 1; with
                         --cluster, per destination)
          --sender SID   the sender id (Ais-Caller-Id and the headers' SID)
          --config FILE  take transport and sender settings from a configuration file
          --metrics-listen ADDR:PORT
                         serve GET /metrics (objstream_tx_*, objstream_collector_*, process),
                         GET /healthz and GET /readyz on ADDR:PORT while sending: an IPv4
                         address, [IPv6] or a host name; port 0 picks a free one, named by
                         the line "objstream send: metrics on HOST:PORT"
          --linger DURATION
                         after the send (and its summary), keep the metrics endpoint up this
                         long for a final scrape, like 15s (default 0)
          --no-confirm   complete objects when written to the socket, as the reference does;
                         by default each request ends after --confirm-bytes (default 64MiB)
                         or --confirm-delay (default 1s) or when the queue runs dry, and its
                         objects count as sent only when the receiver's answer says so
          --requests-per-connection N
                         with confirmed delivery, open a new connection after N requests
                         (default 0: keep one while the receiver keeps it open)
          --retries N    send objects that failed for a reason that may pass (network, broken
                         stream, receiver trouble) again, up to N times (default 3), with backoff
          --report FILE  write {"delivered":N,"failed":[{"object","error","message"}]} to FILE
                         (with --cluster: "node" in each failure, and "nodes":[{"node",
                         "delivered","bytes","failed"}])
          --checksum TYPE
                         put each object's checksum in its header (xxhash, xxhash2, md5, crc32c,
                         sha256, sha512), for the receiver to verify; files are read for it first
          --response-timeout DURATION
                         how long to wait for the receiver's answer to a request (default 30s)
          --cluster FILE --node ID
                         the cluster map and this node's id in it: requests carry the map's
                         version (Ais-Caller-Smap-Ver) and the node as sender id
          --signing-key FILE
                         sign every request (Ais-Caller-Nonce, Ais-Caller-Sig) with the node's
                         key (node.key of objstream keygen; its public key must be the map's)
        Prints a progress line on a terminal and always a final summary ("sent" counts the
        objects the receiver confirmed, or with --no-confirm wrote to the socket); exits 1
        when any object failed (the first 20 named, the rest counted by error code), 2 for
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
        if let problem = parsed.signing.apply(to: &options) {
            StandardError.write("objstream send: \(problem)\n")
            return 2
        }
        if parsed.confirm {
            var confirmation = DeliveryConfirmation()
            if let bytes = parsed.confirmBytes { confirmation.maxBytes = Int64(bytes) }
            if let delay = parsed.confirmDelay { confirmation.maxDelay = delay }
            if let requests = parsed.requestsPerConnection { confirmation.requestsPerConnection = requests }
            options.confirmation = confirmation
        }
        if let timeout = parsed.responseTimeout { options.responseTimeout = timeout }
        if parsed.caFile != nil || parsed.tlsCert != nil {
            do {
                options.tls = try TLSClientCredentials(
                    caFile: parsed.caFile, certificateFile: parsed.tlsCert, keyFile: parsed.tlsKey)
            } catch {
                return fail(error.message)
            }
        }

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
        let run: any SendRunning
        if let bundle = arguments.bundle {
            guard let made = BundleSendRun.make(
                bundle, options: options, multiplier: arguments.streamCount, retries: arguments.retries,
                keepsFailures: arguments.reportPath != nil, progress: progress)
            else { return 2 }
            run = made
        } else {
            let single = SendRun(
                url: arguments.url, options: options, streamCount: arguments.streamCount, retries: arguments.retries,
                keepsFailures: arguments.reportPath != nil, progress: progress)
            do {
                try single.validate()
            } catch {
                StandardError.write("objstream send: \(error)\n")
                return 2
            }
            run = single
        }
        // Each object holds a file per destination until its last copy completes.
        let files = OpenFileBudget(limit: OpenFileLimit.current / run.sourcesPerObject, streams: run.streamCount)
        let signals = StopSignals { run.stop() }
        let started = ContinuousClock.now
        let reporter = ProgressReporter(progress, totalBytes: total, itemCount: items.count, started: started)
        let syntheticSize = arguments.syntheticSize ?? 0
        let payload = syntheticSize > 0 ? PayloadSeed.bytes(syntheticSize) : []
        let payloadChecksum = arguments.checksum.map { type in payload.withUnsafeBytes { Checksummer.hex(type, of: $0) } }
        run.run(count: items.count, isSending: { signals.isSending }) { index in
            let item = items[index]
            var header = ObjectHeader(
                senderID: options.senderID, bucket: arguments.bucket, objectName: item.name,
                attributes: ObjectAttributes(size: item.size, atime: item.atime))
            if let name = item.nameBytes { header.setBytes(name, of: .objectName) }
            if let type = arguments.checksum {
                header.attributes.checksumType = type.name
                if let path = item.path {
                    do throws(ChecksumError) {
                        header.attributes.checksumValue = try Checksummer.hex(type, ofFile: path)
                    } catch {
                        run.fail(item.name, SendError(code: .sourceFailed, message: "checksum: \(error)", cause: error))
                        return nil
                    }
                } else {
                    header.attributes.checksumValue = payloadChecksum ?? ""
                }
            }
            let source: (any ObjectSource)?
            var file: OpenFileBudget?
            if item.size == 0 {
                source = nil
            } else if let path = item.path {
                files.acquire()
                do throws(SendError) {
                    source = try FileSource(path: path)
                    file = files
                } catch {
                    files.release()
                    run.fail(item.name, error)
                    return nil
                }
            } else {
                source = BytesSource(payload)
            }
            return OutgoingObject(header: header, source: source, context: SendRun.Ticket(index: index, file: file))
        }
        reporter.stop()
        reporter.clear()
        let summary = SendSummary(progress, elapsed: started.duration(to: .now), nodeLines: run.nodeLines)
        summary.write()  // the summary is out before the linger
        if let path = arguments.reportPath {
            let report = SendReport(
                delivered: progress.objects.load(ordering: .relaxed), failures: run.failures, nodes: run.nodeReports)
            if let problem = report.write(to: path) {
                StandardError.write("objstream send: --report \(path): \(problem)\n")
                return 1
            }
        }
        let interrupted = signals.beginLinger()
        if listener != nil && arguments.linger > .zero { signals.linger(for: arguments.linger) }
        return summary.failed == 0 && !interrupted ? 0 : 1
    }
}
