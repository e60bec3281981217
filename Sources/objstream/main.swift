import ObjStreamMetrics

#if canImport(Glibc)
import Glibc
#endif

/// `objstream serve|send|frame|config|store|keygen|version`: one tool for every job.
var arguments = ArgumentCursor(Array(CommandLine.arguments.dropFirst()))
let usage = """
    usage: objstream <command> [options]

    commands:
      serve    run the receive gateway (PUT /v1/objstream/<trname>, GET /metrics)
      send     send files or synthetic objects to a gateway
      frame    write stream frames to stdout (for curl probes)
      config   check or print a configuration file
      store    list a file store's objects, or write one to stdout
      keygen   make a node's Ed25519 key pair for signed streams
      version  print the version (also --version)

    run `objstream <command> --help` for a command's options
    """

guard let command = arguments.next() else {
    print(usage)
    exit(2)
}
let subcommands: [any Subcommand.Type] = [
    ServeCommand.self, SendCommand.self, FrameCommand.self, ConfigCommand.self, StoreCommand.self, KeygenCommand.self,
]
let status: Int32
if let subcommand = subcommands.first(where: { $0.name == command }) {
    status = subcommand.run(arguments.remaining)
} else {
    switch command {
    case "version", "--version":
        // The same constant as the `version` label of `objstream_build_info`.
        print("objstream \(BuildInfo.version)")
        status = 0
    case "-h", "--help", "help":
        print(usage)
        status = 0
    default:
        StandardError.write("objstream: unknown command '\(command)'\n\n\(usage)\n")
        status = 2
    }
}
exit(status)
