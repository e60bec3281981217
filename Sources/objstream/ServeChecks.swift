import ObjStreamConfig
import ObjStreamGateway
import ObjStreamWire

/// What `objstream config check` and `objstream serve` both check of a configuration against
/// this host, beyond its syntax: so that what `config check` accepts, `serve` serves.
///
/// - `listen` and `admin_listen` resolve (``SocketAddress/resolve(host:port:)``, names now)
///   and bind (``ListeningSocket``, on port 0: the port itself may still be taken when
///   `serve` starts, or need privileges), and are not one address;
/// - `gateway.max_connections` is at most what the process can hold (``GatewayCapacity``);
/// - the `tls` files are readable and GnuTLS takes them (``GatewayTLS/load(certificateFile:keyFile:clientCAFile:priorities:)``).
enum ServeChecks {
    /// Every problem of a configuration on this host.
    /// - Parameters:
    ///   - configuration: A parsed configuration.
    ///   - host: What the process may hold.
    /// - Returns: The problems, in file order; empty when it can be served.
    static func problems(_ configuration: ObjStreamConfiguration, host: HostLimits = .current()) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        let listen = check("listen", configuration.listen, into: &problems)
        if let admin = configuration.adminListen, let adminAddress = check("admin_listen", admin, into: &problems),
            let listen, adminAddress == listen, listen.port != 0
        {
            problems.append(
                ConfigProblem(
                    key: "admin_listen", value: JSONString.quote(admin.description),
                    message: "must not be the address of listen"))
        }
        let capacity = GatewayCapacity.maxConnections(ServeCommand.options(from: configuration), host: host)
        if configuration.gateway.maxConnections > capacity.bound {
            problems.append(
                ConfigProblem(
                    key: "gateway.max_connections", value: String(configuration.gateway.maxConnections),
                    message: "more than this process can hold: \(capacity.reason)"))
        }
        if let tls = configuration.tls {
            do {
                _ = try gatewayTLS(tls)
            } catch {
                let value: String? =
                    switch error.field {
                    case .cert: tls.cert
                    case .key: tls.key
                    case .clientCA: tls.clientCA
                    case .priorities: tls.priorities
                    }
                problems.append(
                    ConfigProblem(
                        key: "tls.\(error.field.rawValue)", value: value.map(JSONString.quote) ?? "null",
                        message: error.message))
            }
        }
        return problems
    }

    /// Reads and checks the files of the `tls` section.
    /// - Parameter tls: The section.
    /// - Returns: The gateway's TLS settings.
    /// - Throws: The problem of the first field that cannot be used.
    static func gatewayTLS(_ tls: TLSConfiguration) throws(GatewayTLSProblem) -> GatewayTLS {
        try GatewayTLS.load(
            certificateFile: tls.cert, keyFile: tls.key, clientCAFile: tls.clientCA, priorities: tls.priorities)
    }

    /// Resolves and test-binds one listen address.
    /// - Parameters:
    ///   - key: Its key, for the problem.
    ///   - address: The address.
    ///   - problems: Where a problem goes.
    /// - Returns: The resolved address, nil when it has a problem.
    private static func check(_ key: String, _ address: ListenAddress, into problems: inout [ConfigProblem])
        -> SocketAddress?
    {
        let value = JSONString.quote(address.description)
        let resolved: SocketAddress
        do {
            resolved = try SocketAddress.resolve(host: address.host, port: address.port)
        } catch {
            problems.append(ConfigProblem(key: key, value: value, message: "cannot be served: \(error.message)"))
            return nil
        }
        do {
            try ListeningSocket.probe(resolved)
        } catch {
            problems.append(
                ConfigProblem(key: key, value: value, message: "cannot be served: cannot bind \(resolved.host): \(error)"))
            return nil
        }
        return resolved
    }
}
