import ObjStreamChecksum
import ObjStreamConfig
import ObjStreamWire

/// What `objstream send` was asked to do, parsed from its command line.
struct SendArguments {
    /// Whether `-h` or `--help` was given (the other fields are then incomplete).
    var help = false
    /// The endpoint URL, with `/v1/objstream/default` when the argument had no path.
    var url = ""
    /// The files and directories to send (empty with `--synthetic`).
    var paths: [String] = []
    /// `--bucket`.
    var bucket = Bucket(name: "objstream")
    /// `--pdu`, in bytes.
    var pdu: Int?
    /// `--compress`.
    var compress = false
    /// `--streams`.
    var streamCount = 1
    /// `--sender`.
    var sender = ""
    /// `--config`.
    var configPath: String?
    /// `--synthetic`: how many generated objects.
    var synthetic: Int?
    /// `--size`: the size of a generated object.
    var syntheticSize: Int?
    /// `--metrics-listen`.
    var metricsListen: ListenAddress?
    /// `--linger`.
    var linger = Duration.zero
    /// Confirmed delivery (off with `--no-confirm`).
    var confirm = true
    /// `--confirm-bytes`: frame bytes per confirmed request.
    var confirmBytes: Int?
    /// `--confirm-delay`: time per confirmed request.
    var confirmDelay: Duration?
    /// `--requests-per-connection`: confirmed requests one connection carries (0: no limit).
    var requestsPerConnection: Int?
    /// `--retries`: how many times a failed object goes again.
    var retries = 3
    /// `--report`: where the JSON report goes.
    var reportPath: String?
    /// `--response-timeout`.
    var responseTimeout: Duration?
    /// `--checksum`: the checksum each object's header carries.
    var checksum: ChecksumType?
    /// `--cluster`, `--node`, `--signing-key`: who the sender is in its cluster (to a URL or a bundle).
    var signing = SigningArguments()
    /// `--trname`, `--broadcast`, `--to` with the cluster of ``signing``: nil when sending to a URL.
    var bundle: BundleArguments?
    /// `--ca`: the PEM authorities trusted for an `https://` receiver's certificate.
    var caFile: String?
    /// `--tls-cert`: the sender's PEM certificate, for receivers that require one.
    var tlsCert: String?
    /// `--tls-key`: its PEM private key.
    var tlsKey: String?

    /// Parses the arguments after `send`.
    /// - Parameter arguments: The command line after `send`.
    /// - Throws: `UsageError` with the line `objstream send` prints for the first problem.
    init(parsing arguments: [String]) throws(UsageError) {
        var positional: [String] = []
        var bucketText = "ais://objstream"
        var bundle = BundleArguments()
        help = try ArgumentCursor.parse(arguments) { argument, cursor throws(UsageError) in
            switch argument {
            case "--compress": compress = true
            case "--bucket": bucketText = try cursor.value(for: argument)
            case "--pdu":
                pdu = try cursor.value(
                    for: argument, parsedBy: { Self.within(ByteSize.parse($0), 32...WireLimits.maxPDUSize) }
                ) { "--pdu '\($0)' must be a size of 32B..128KiB" }
            case "--streams":
                streamCount = try cursor.value(for: argument, parsedBy: { Self.within(Int($0), 1...256) }) {
                    "--streams '\($0)' must be 1..256"
                }
            case "--sender": sender = try cursor.value(for: argument)
            case "--config": configPath = try cursor.value(for: argument)
            case "--metrics-listen":
                metricsListen = try cursor.value(for: argument, parsedBy: ListenAddress.init) {
                    "--metrics-listen '\($0)' is not ADDR:PORT (like 127.0.0.1:9091)"
                }
            case "--linger":
                linger = try cursor.value(for: argument, parsedBy: DurationFormat.parse) {
                    "--linger '\($0)' is not a duration (like 15s)"
                }
            case "--no-confirm": confirm = false
            case "--confirm-bytes":
                confirmBytes = try cursor.value(for: argument, parsedBy: { Self.within(ByteSize.parse($0), 1...Int.max) }) {
                    "--confirm-bytes '\($0)' is not a size of at least 1B (like 64MiB)"
                }
            case "--confirm-delay":
                confirmDelay = try cursor.value(for: argument, parsedBy: Self.positiveDuration) {
                    "--confirm-delay '\($0)' is not a positive duration (like 1s)"
                }
            case "--requests-per-connection":
                requestsPerConnection = try cursor.value(for: argument, parsedBy: { Self.within(Int($0), 0...Int.max) }) {
                    "--requests-per-connection '\($0)' must be a count >= 0"
                }
            case "--response-timeout":
                responseTimeout = try cursor.value(for: argument, parsedBy: Self.positiveDuration) {
                    "--response-timeout '\($0)' is not a positive duration (like 30s)"
                }
            case "--retries":
                retries = try cursor.value(for: argument, parsedBy: { Self.within(Int($0), 0...1000) }) {
                    "--retries '\($0)' must be 0..1000"
                }
            case "--report": reportPath = try cursor.value(for: argument)
            case "--ca": caFile = try cursor.value(for: argument)
            case "--tls-cert": tlsCert = try cursor.value(for: argument)
            case "--tls-key": tlsKey = try cursor.value(for: argument)
            case "--checksum":
                checksum = try cursor.value(for: argument, parsedBy: ChecksumType.init(name:)) {
                    "--checksum '\($0)' is not one of " + ChecksumType.all.map(\.name).joined(separator: ", ")
                }
            case "--synthetic":
                synthetic = try cursor.value(for: argument, parsedBy: { Self.within(Int($0), 0...Int.max) }) {
                    "--synthetic '\($0)' must be a count >= 0"
                }
            case "--size":
                syntheticSize = try cursor.value(for: argument, parsedBy: ByteSize.parse) {
                    "--size '\($0)' is not a size (like 4KiB)"
                }
            case let option where SigningArguments.options.contains(option): try signing.take(option, &cursor)
            case let option where option.hasPrefix("--"):
                if try bundle.take(option, &cursor) { break }
                throw UsageError(.unknownOption, "unknown option \(option)")
            default: positional.append(argument)
            }
        }
        if help { return }
        // With a cluster map, the first positional argument is the URL only when it looks like one.
        let firstIsURL = positional.first.map { $0.hasPrefix("http://") || $0.hasPrefix("https://") } ?? false
        if bundle.isUsed || (signing.mapPath != nil && !firstIsURL) {
            bundle.clusterPath = signing.mapPath
            bundle.node = signing.node
            try bundle.check()
            self.bundle = bundle
            paths = positional
        } else {
            guard let url = positional.first else { throw UsageError(.invalidCombination, "URL is required") }
            self.url = Self.endpoint(url)
            paths = Array(positional.dropFirst())
        }
        if synthetic != nil && !paths.isEmpty {
            throw UsageError(.invalidCombination, "give either PATHs or --synthetic, not both")
        }
        if synthetic == nil && paths.isEmpty {
            throw UsageError(.invalidCombination, "give PATHs to send, or --synthetic COUNT --size SIZE")
        }
        if synthetic != nil && syntheticSize == nil { throw UsageError(.invalidCombination, "--synthetic needs --size") }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw UsageError(.invalidCombination, "--tls-cert and --tls-key go together")
        }
        // A bundle's URLs come from the map: its https:// members use the TLS options.
        if caFile != nil || tlsCert != nil, self.bundle == nil, !self.url.hasPrefix("https://") {
            throw UsageError(.invalidCombination, "--ca, --tls-cert and --tls-key need an https:// URL")
        }
        do {
            bucket = try Bucket(parsing: bucketText)
        } catch {
            throw UsageError(.invalidValue, "--bucket '\(bucketText)': \(error.message)")
        }
    }

    /// A parsed number when it lies in a range.
    /// - Parameters:
    ///   - value: The parsed number, nil when the text did not parse.
    ///   - range: The allowed values.
    /// - Returns: The number, or nil when it is missing or outside the range.
    private static func within(_ value: Int?, _ range: ClosedRange<Int>) -> Int? {
        value.flatMap { range.contains($0) ? $0 : nil }
    }

    /// A duration above zero.
    private static func positiveDuration(_ text: String) -> Duration? {
        DurationFormat.parse(text).flatMap { $0 > .zero ? $0 : nil }
    }

    /// The URL with `/v1/objstream/default` when it has no path.
    private static func endpoint(_ url: String) -> String {
        for scheme in ["http://", "https://"] where url.hasPrefix(scheme) {
            return url.dropFirst(scheme.count).contains("/") ? url : url + "/v1/objstream/default"
        }
        return url
    }
}
