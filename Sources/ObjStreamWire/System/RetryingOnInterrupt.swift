#if canImport(Glibc)
import Glibc
#endif

/// Calls a system call again for as long as it fails with `EINTR`.
///
/// For calls that return a negative value and set `errno` on failure (`read`, `write`,
/// `sendmsg`, `poll`, `open`, ...); the `errno` of any other failure is left for the caller.
/// - Parameter call: The system call.
/// - Returns: The call's first result that is not an `EINTR` failure.
package func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
