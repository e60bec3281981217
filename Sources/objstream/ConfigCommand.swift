import ObjStreamCluster
import ObjStreamConfig
import ObjStreamGateway

/// `objstream config check FILE` and `objstream config print [FILE]`.
enum ConfigCommand: Subcommand {
    static let name = "config"
    static let usage = """
        usage: objstream config check FILE    validate FILE, and what serve checks of it on this
                                              host (listen addresses resolve and bind, max_connections
                                              fits the open-file, thread and memory limits); prints
                                              "FILE: ok", else one "key: value: message" line per
                                              problem (exit 1)
               objstream config check --cluster MAP
                                              validate a cluster map (config/cluster.json): the
                                              version, and each node's id, url and public_key; prints
                                              "MAP: ok (version N, K nodes, S with public keys)"
               objstream config print [FILE]  print the effective configuration as JSON
                                              (FILE merged over the defaults; defaults alone without FILE)
        """

    /// Runs the command.
    /// - Parameter arguments: The arguments after `config`.
    /// - Returns: 0 when valid, 1 when the file has problems, 2 for a usage error.
    static func run(_ arguments: [String]) -> Int32 {
        if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) || arguments.first == "help" {
            print(usage)
            return 0
        }
        var cursor = ArgumentCursor(arguments)
        let subcommand = cursor.next()
        let path = cursor.next()
        switch (subcommand, path) {
        case ("check", "--cluster"):
            guard let map = cursor.next(), cursor.isAtEnd else { break }
            return checkCluster(map)
        case ("check", let path?) where cursor.isAtEnd:
            return check(path)
        case ("print", nil):
            print(ObjStreamConfiguration().json(), terminator: "")
            return 0
        case ("print", let path?) where cursor.isAtEnd:
            guard let configuration = load(path) else { return 1 }
            print(configuration.json(), terminator: "")
            return 0
        default:
            break
        }
        StandardError.write(usage + "\n")
        return 2
    }

    /// Checks a cluster map file; prints its summary, or every problem (each naming the node and the field).
    private static func checkCluster(_ path: String) -> Int32 {
        do {
            let map = try ClusterMap.load(contentsOf: path)
            let signed = map.nodes.count { $0.publicKey != nil }
            print("\(path): ok (version \(map.version), \(map.nodes.count) node\(map.nodes.count == 1 ? "" : "s"), \(signed) with public keys)")
            return 0
        } catch {
            reportProblems(error.problems, in: path)
            return 1
        }
    }

    /// Checks a file: its syntax and ranges, then what `serve` checks of it on this host
    /// (addresses resolve and bind, `max_connections` fits; see ``ServeChecks``).
    private static func check(_ path: String) -> Int32 {
        guard let configuration = load(path) else { return 1 }
        let host = HostLimits.current()
        let problems = ServeChecks.problems(configuration, host: host)
        guard problems.isEmpty else {
            reportProblems(problems, in: path)
            return 1
        }
        let endpoints = configuration.endpoints.map { "\($0.name)=\($0.action.rawValue)" }.joined(separator: ",")
        let admin = configuration.adminListen.map { ", admin \($0)" } ?? ""
        let capacity = GatewayCapacity.maxConnections(ServeCommand.options(from: configuration), host: host)
        print(
            "\(path): ok (listen \(configuration.listen)\(ServeCommand.tlsNote(configuration.tls))\(admin), endpoints \(endpoints.isEmpty ? "none" : endpoints),"
                + " store \(configuration.storeDirectory) sync \(configuration.storeSync.rawValue),"
                + " max_connections \(configuration.gateway.maxConnections) of at most \(capacity.bound))")
        return 0
    }

    /// Loads a file, or writes every problem to standard error and returns nil.
    private static func load(_ path: String) -> ObjStreamConfiguration? {
        do {
            return try ObjStreamConfiguration.load(contentsOf: path)
        } catch {
            reportProblems(error.problems, in: path)
            return nil
        }
    }

    /// Writes one `key: value: message` line per problem to standard error, then `PATH: N problems`.
    private static func reportProblems(_ problems: [ConfigProblem], in path: String) {
        StandardError.write(problems.map(\.description).joined(separator: "\n") + "\n")
        StandardError.write("\(path): \(problems.count) problem\(problems.count == 1 ? "" : "s")\n")
    }
}
