#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time for nonces, injectable so tests can stand still or run backwards.
public protocol NonceClock: Sendable {
    /// Milliseconds since the Unix epoch, UTC.
    func nowMilliseconds() -> Int64
}

/// The host's real-time clock (`CLOCK_REALTIME`).
///
/// Real time rather than monotonic because time-based Gemini keys compare the nonce with
/// the server's Unix time; the host must be NTP-synchronised for those keys.
public struct SystemNonceClock: NonceClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
