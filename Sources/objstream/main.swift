#if canImport(Glibc)
import Glibc
#endif

/// `objstream serve|send|frame|config`: one tool for every job.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: objstream <command> [options]

    commands:
      serve    run the receive gateway (PUT /v1/objstream/<trname>, GET /metrics)
      send     send files or synthetic objects to a gateway
      frame    write stream frames to stdout (for curl probes)
      config   check or print a configuration file

    run `objstream <command> --help` for a command's options
    """

guard let command = arguments.first else {
    print(usage)
    exit(2)
}
let rest = Array(arguments.dropFirst())
let status: Int32
switch command {
case "serve": status = ServeCommand.run(rest)
case "send": status = SendCommand.run(rest)
case "frame": status = FrameCommand.run(rest)
case "config": status = ConfigCommand.run(rest)
case "-h", "--help", "help":
    print(usage)
    status = 0
default:
    StandardError.write("objstream: unknown command '\(command)'\n\n\(usage)\n")
    status = 2
}
exit(status)
