#if canImport(Glibc)
import Glibc
#endif

/// The process's limit of open files (`RLIMIT_NOFILE`).
enum FileLimit {
    /// Raises the soft limit to the hard one, as Go's runtime does: a gateway holds a socket
    /// (and maybe a file) per connection, and the systemd unit's `LimitNOFILE` or the
    /// container's limit is the hard limit meant for it.
    ///
    /// The corresponding C functions are `getrlimit` and `setrlimit`.
    static func raiseToHard() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
