#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`): `objstream send` raises the soft
/// limit to the hard one at start (the way Go's runtime does), and sizes its
/// ``OpenFileBudget`` from what it got.
enum OpenFileLimit {
    /// Raises the soft limit on open files to the hard limit.
    /// - Returns: The soft limit now in force (the old one when raising failed).
    /// The corresponding C functions are `getrlimit` and `setrlimit`.
    @discardableResult
    static func raiseToHardLimit() -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones) clamps to Int.max
    }

    /// The soft limit on open files.
    /// - Returns: The limit (`Int.max` when unlimited).
    /// The corresponding C function is `getrlimit`.
    static var current: Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones) clamps to Int.max
    }
}
