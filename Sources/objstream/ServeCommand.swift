import ObjStreamCluster
import ObjStreamConfig
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// `objstream serve`: runs the receive gateway until SIGTERM or SIGINT.
///
/// Signals are blocked before any thread starts and taken with `sigwait` on the main
/// thread, which does nothing else: SIGHUP reloads the cluster map; on SIGTERM or SIGINT
/// the gateway stops accepting, gives open streams the grace period, and the process exits 0.
enum ServeCommand: Subcommand {
    static let name = "serve"
    static let usage = """
        usage: objstream serve [--config FILE] [--listen ADDR:PORT] [--admin-listen ADDR:PORT]
                               [--store DIR] [--store-sync none|object|request]
                               [--endpoint NAME[=sink|store]]...
                               [--cluster FILE --node ID] [--signing off|permissive|strict]
                               [--replay-state FILE]
                               [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]

        Serves PUT /v1/objstream/<NAME> for the endpoints of the configuration and of the
        command line (sink: count and discard; store: write objects under
        DIR/<provider>/<namespace>/<bucket>/<object>, global namespace as '@global',
        metadata in user.objstream.* extended attributes; list them with objstream store),
        plus GET /metrics and GET /healthz; with an admin listener, GET /metrics, /healthz
        and /readyz there too. ADDR is an IPv4 address, [IPv6] ([::] takes IPv4 as well)
        or a host name (resolved at start). Port 0 picks a free port; the startup lines
        "objstream: listening on HOST:PORT" and "objstream: admin listening on HOST:PORT"
        name it. The configuration is checked as `objstream config check` does first. A
        store folder that cannot be created or written, or keeps no extended attributes,
        stops serve (exit 1).
          --config FILE        the configuration (default: the built-in defaults)
          --listen ADDR:PORT   where to listen, replacing the configuration's listen
          --admin-listen ADDR:PORT
                               where the admin listener listens, replacing admin_listen
          --store DIR          where store endpoints write, replacing the configuration's
          --store-sync MODE    none, object (fsync each object and its folder) or request
                               (one syncfs per request before its answer; the default),
                               replacing the configuration's store_sync
          --endpoint NAME[=sink|store]
                               add or replace an endpoint (default action sink); repeatable
          --cluster FILE --node ID
                               the cluster map (config/cluster.json) and this node's id in it;
                               SIGHUP reloads the map for requests that start after (a map
                               that does not load keeps the one in use, and is logged)
          --signing MODE       off, permissive (verify signed requests, accept unsigned ones
                               from members) or strict (every request signed by a member),
                               replacing the configuration's signing; not off needs --cluster
          --replay-state FILE  keep each sender's highest accepted nonce in FILE (synced
                               before the request is accepted), so that a restarted gateway
                               refuses nonces it may have accepted before
          --tls-cert FILE      serve streams over TLS (https://) with this PEM certificate,
                               replacing tls.cert; needs --tls-key (or tls.key)
          --tls-key FILE       its PEM private key, replacing tls.key
          --tls-client-ca FILE require client certificates signed by this PEM CA (mutual
                               TLS), replacing tls.client_ca
        """

    /// Runs the command with its arguments.
    /// - Parameter arguments: The arguments after `serve`.
    /// - Returns: 0 after a signal-driven shutdown, 1 when the gateway or a store cannot start, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        var configPath: String?
        var listen: ListenAddress?
        var adminListen: ListenAddress?
        var store: String?
        var storeSync: StoreSync?
        var extra: [EndpointConfiguration] = []
        var cluster = ServeCluster()
        var tlsCert: String?
        var tlsKey: String?
        var tlsClientCA: String?
        let done = parseOptions(arguments) { argument, cursor throws(UsageError) in
            if try cluster.take(argument, &cursor) { return }
            switch argument {
            case "--config": configPath = try cursor.value(for: argument)
            case "--listen":
                listen = try cursor.value(for: argument, parsedBy: ListenAddress.init) {
                    "--listen '\($0)' is not ADDR:PORT"
                }
            case "--admin-listen":
                adminListen = try cursor.value(for: argument, parsedBy: ListenAddress.init) {
                    "--admin-listen '\($0)' is not ADDR:PORT"
                }
            case "--store": store = try cursor.value(for: argument)
            case "--store-sync":
                storeSync = try cursor.value(for: argument, parsedBy: StoreSync.init(rawValue:)) {
                    "--store-sync '\($0)' is not none, object or request"
                }
            case "--endpoint":
                let endpoint = try endpoint(cursor.value(for: argument))
                extra.removeAll { $0.name == endpoint.name }
                extra.append(endpoint)
            case "--tls-cert": tlsCert = try cursor.value(for: argument)
            case "--tls-key": tlsKey = try cursor.value(for: argument)
            case "--tls-client-ca": tlsClientCA = try cursor.value(for: argument)
            default: throw UsageError(.unknownOption, "unknown option '\(argument)'")
            }
        }
        if let done { return done }

        var configuration = ObjStreamConfiguration()
        if let configPath {
            do {
                configuration = try ObjStreamConfiguration.load(contentsOf: configPath)
            } catch {
                StandardError.write("objstream serve: \(configPath):\n\(error.description)\n")
                return 2
            }
        }
        if let listen { configuration.listen = listen }
        if let adminListen { configuration.adminListen = adminListen }
        if let store { configuration.storeDirectory = store }
        if let storeSync { configuration.storeSync = storeSync }
        if let signing = cluster.signing { configuration.signing = signing }
        if let problem = cluster.problem(signing: configuration.signing) { return fail(problem) }
        for endpoint in extra {
            configuration.endpoints.removeAll { $0.name == endpoint.name }
            configuration.endpoints.append(endpoint)
        }
        if tlsCert != nil || tlsKey != nil || tlsClientCA != nil {
            guard let cert = tlsCert ?? configuration.tls?.cert, let key = tlsKey ?? configuration.tls?.key else {
                StandardError.write("objstream serve: TLS needs both --tls-cert and --tls-key (or the tls section)\n")
                return 2
            }
            var tls = configuration.tls ?? TLSConfiguration(cert: cert, key: key)
            tls.cert = cert
            tls.key = key
            if let tlsClientCA { tls.clientCA = tlsClientCA }
            configuration.tls = tls
        }
        // The soft limit of open files up to the hard one, before the capacity is checked against it.
        FileLimit.raiseToHard()
        let problems = ServeChecks.problems(configuration)
        guard problems.isEmpty else {
            StandardError.write(
                "objstream serve: \(configPath ?? "(command line)"):\n"
                    + problems.map(\.description).joined(separator: "\n") + "\n")
            return 2
        }
        let map: ClusterMap?
        var replayState: ReplayState?
        do {
            map = try cluster.load()
        } catch {
            StandardError.write("objstream serve: \(cluster.mapPath ?? ""):\n\(error.description)\n")
            return 2
        }
        if let path = cluster.replayStatePath {
            do {
                replayState = try ReplayState(path: path)
            } catch {
                StandardError.write("objstream serve: \(error.message)\n")
                return 2
            }
        }
        return serve(configuration, cluster: cluster, map: map, replayState: replayState)
    }

    /// Parses the value of `--endpoint`.
    /// - Parameter value: `NAME` or `NAME=sink|store`.
    /// - Returns: The endpoint (`sink` when no action is given).
    /// - Throws: `UsageError` `invalidValue` for an empty name, a name with `/` or an unknown action.
    private static func endpoint(_ value: String) throws(UsageError) -> EndpointConfiguration {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard let name = parts.first, !name.isEmpty, !name.contains("/") else {
            throw UsageError(.invalidValue, "--endpoint '\(value)': the name must be non-empty without '/'")
        }
        guard let action = EndpointAction(rawValue: parts.count == 2 ? parts[1] : "sink") else {
            throw UsageError(.invalidValue, "--endpoint '\(value)': the action must be sink or store")
        }
        return EndpointConfiguration(name: name, action: action)
    }

    private static func serve(
        _ configuration: ObjStreamConfiguration, cluster: ServeCluster, map: ClusterMap?, replayState: ReplayState?
    ) -> Int32 {
        // Block the signals before the gateway's threads exist, so that they inherit the mask
        // and only the sigwait below takes them.
        StopSignals.block(hangup: true)
        signal(SIGPIPE, SIG_IGN)

        let verbose = configuration.logLevel == .debug || configuration.logLevel == .info
        let log: @Sendable (String) -> Void = { StandardError.write($0 + "\n") }
        let registry = EndpointRegistry()
        let metrics = ReceiveMetrics(registry: .shared)
        ProcessMetrics.register(on: .shared)
        for endpoint in configuration.endpoints {
            let made: any Endpoint
            switch endpoint.action {
            case .sink: made = SinkEndpoint()
            case .store:
                do {
                    made = try FileStoreEndpoint(
                        directory: configuration.storeDirectory, sync: configuration.storeSync, metrics: metrics, log: log)
                } catch {
                    StandardError.write("objstream serve: endpoint \(endpoint.name): \(error.message)\n")
                    return 1
                }
            }
            do {
                try registry.register(endpoint.name, made)
            } catch {
                StandardError.write("objstream serve: \(error)\n")
                return 2
            }
        }
        let sessionLog: (@Sendable (SessionSummary) -> Void)? =
            verbose ? { @Sendable summary in log("objstream: \(summary)") } : nil
        var gatewayOptions = options(from: configuration)
        if let tls = configuration.tls {
            do {
                gatewayOptions.tls = try ServeChecks.gatewayTLS(tls)
            } catch {
                StandardError.write("objstream serve: \(error)\n")
                return 2
            }
        }
        let gateway = Gateway(
            endpoints: registry, options: gatewayOptions, metrics: MetricsRegistry.shared, log: log,
            onSessionEnd: sessionLog, clusterMap: map, replayState: replayState)
        do {
            try gateway.start()
        } catch {
            StandardError.write("objstream serve: cannot listen on \(configuration.listen): \(error)\n")
            return 1
        }
        var admin: AdminListener?
        if let address = configuration.adminListen {
            let listener = AdminListener(
                host: address.host, port: address.port, metrics: .shared, gateway: gateway, log: log)
            do {
                try listener.start()
            } catch {
                StandardError.write("objstream serve: cannot listen on \(address) (admin_listen): \(error)\n")
                gateway.stop()
                return 1
            }
            admin = listener
        }
        let names = configuration.endpoints.map { "\($0.name)=\($0.action.rawValue)" }.joined(separator: ",")
        log(
            "objstream: endpoints \(names.isEmpty ? "none" : names), store \(configuration.storeDirectory)"
                + " (sync \(configuration.storeSync.rawValue))")
        log("objstream: listening on \(bound(configuration.listen, gateway.address))\(tlsNote(configuration.tls))")
        if let admin, let address = configuration.adminListen {
            log("objstream: admin listening on \(bound(address, admin.address)) (/metrics, /healthz, /readyz)")
        }

        if let map, let node = cluster.node {
            log(
                "objstream: node \(node) of cluster map \(cluster.mapPath ?? "") version \(map.version)"
                    + " (\(map.nodes.count) nodes), signing \(configuration.signing.rawValue)"
                    + (replayState.map { ", replay state \($0.path)" } ?? ""))
        }

        var received = StopSignals.wait(hangup: true)
        while received == SIGHUP {
            cluster.reload(into: gateway, log: log)
            received = StopSignals.wait(hangup: true)
        }
        let grace = configuration.gateway.gracePeriod
        log("objstream: signal \(received): stopping, \(gateway.openSessions) open session(s), grace \(grace)")
        // The admin listener answers /readyz "draining" during the grace period, and stops last.
        let drained = gateway.stop(grace: grace)
        admin?.stop()
        log("objstream: stopped\(drained ? "" : " (sessions still open after the grace period were closed)")")
        return 0
    }

    /// A listen address as configured, with the bound port, and the address it resolved to
    /// when that reads differently (a host name).
    /// - Parameters:
    ///   - configured: The configured address.
    ///   - bound: The bound address.
    /// - Returns: `HOST:PORT`, or `NAME:PORT (ADDRESS:PORT)`.
    private static func bound(_ configured: ListenAddress, _ bound: SocketAddress?) -> String {
        let shown = ListenAddress(host: configured.host, port: bound?.port ?? configured.port)
        guard let bound, bound.host != configured.host else { return shown.description }
        return "\(shown) (\(bound))"
    }

    /// How the startup line and `config check` say the listener's TLS: nothing for plain TCP.
    /// - Parameter tls: The `tls` section.
    /// - Returns: ` over TLS` or ` over mutual TLS`, or empty.
    static func tlsNote(_ tls: TLSConfiguration?) -> String {
        guard let tls else { return "" }
        return tls.clientCA == nil ? " over TLS" : " over mutual TLS"
    }

    /// The gateway options of a configuration (without the TLS files, which ``ServeChecks`` reads).
    static func options(from configuration: ObjStreamConfiguration) -> GatewayOptions {
        let g = configuration.gateway
        return GatewayOptions(
            host: configuration.listen.host, port: configuration.listen.port,
            connectionMemoryLimit: g.connectionMemoryLimit, connectionTimeout: g.connectionTimeout,
            maxConnections: g.maxConnections, headerBuffer: configuration.transport.maxHeader,
            perIPConnections: g.perIPConnections, headerTimeout: g.headerTimeout, maxLZ4Block: g.maxLZ4Block,
            lz4Memory: g.lz4Memory, signing: configuration.signing)
    }
}
