#if canImport(Glibc)
import Glibc
#endif

/// `objstream-bench`: the benchmark matrix against the `iperf3` loopback baseline, kept out of
/// the production `objstream` binary, whose gateway it starts as `objstream serve`.
exit(BenchCommand.run(Array(CommandLine.arguments.dropFirst())))
