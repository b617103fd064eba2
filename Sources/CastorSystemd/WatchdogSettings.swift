#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The service watchdog systemd configured for this process (`WatchdogSec=`).
///
/// systemd passes `WATCHDOG_USEC` (the timeout) and `WATCHDOG_PID` (the process expected to
/// ping). A `WATCHDOG_PID` of another process means the variables were inherited by a child
/// and are not for us. Pinging at half the timeout, as `sd_watchdog_enabled(3)` recommends,
/// tolerates one late ping without a restart.
public struct WatchdogSettings: Sendable, Equatable {
    /// The timeout after which systemd kills the service without a `WATCHDOG=1`.
    public let timeout: Duration

    /// How often to send `WATCHDOG=1`: half of `timeout`.
    public var pingInterval: Duration { timeout / 2 }

    /// Creates settings for an explicit timeout.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Reads `WATCHDOG_USEC` / `WATCHDOG_PID` from the process environment; nil when the
    /// watchdog is off, the values are malformed, or they belong to another process.
    public static func fromEnvironment() -> WatchdogSettings? {
        var env: [String: String] = [:]
        for name in ["WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) { env[name] = String(cString: value) }
        }
        return fromEnvironment(env, pid: getpid())
    }

    /// Parses an explicit environment for process `pid` (tests inject both).
    public static func fromEnvironment(_ environment: [String: String], pid: Int32) -> WatchdogSettings? {
        guard let usecText = environment["WATCHDOG_USEC"], let usec = UInt64(usecText), usec > 0 else {
            return nil
        }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let target = Int32(pidText), target == pid else { return nil }
        }
        return WatchdogSettings(timeout: .microseconds(Int64(clamping: usec)))
    }
}
