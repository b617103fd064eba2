import CProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the API secret out of core dumps and out of reach of same-user debuggers.
///
/// `castor run` calls `disableCoreDumps()` first thing, before the credentials are read:
/// a core file (or `gcore`, `ptrace`, a read of `/proc/PID/mem` by another process of the
/// same user) would otherwise expose the secret bytes that sign every order. The systemd
/// units set `LimitCORE=0` as well; this covers runs outside systemd.
public enum ProcessHardening {
    /// Makes the process non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`) and sets `RLIMIT_CORE`
    /// to 0 (soft and hard). Both are attempted; each failure is returned, none is fatal
    /// (a daemon that cannot harden itself is still better running than not: the caller
    /// logs it).
    public static func disableCoreDumps() -> [ProcessHardeningError] {
        var failures: [ProcessHardeningError] = []
        if castor_prctl_set_not_dumpable() != 0 { failures.append(.notDumpableFailed(errno: errno)) }
        if castor_disable_core_limit() != 0 { failures.append(.coreLimitFailed(errno: errno)) }
        return failures
    }

    /// Whether the process is dumpable now (nil if the kernel does not say).
    public static var isDumpable: Bool? {
        let value = castor_prctl_get_dumpable()
        return value < 0 ? nil : value != 0
    }

    /// The `RLIMIT_CORE` soft and hard limits in bytes (nil if `getrlimit` failed).
    public static var coreLimit: (soft: UInt64, hard: UInt64)? {
        var soft: UInt64 = 0, hard: UInt64 = 0
        guard castor_core_limit(&soft, &hard) == 0 else { return nil }
        return (soft, hard)
    }
}

/// A hardening call that failed, with the `errno` it left.
public enum ProcessHardeningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `prctl(PR_SET_DUMPABLE, 0)` failed.
    case notDumpableFailed(errno: Int32)
    /// `setrlimit(RLIMIT_CORE, 0)` failed.
    case coreLimitFailed(errno: Int32)

    /// The C call, for the log line's `call` field.
    public var call: String {
        switch self {
        case .notDumpableFailed: "prctl(PR_SET_DUMPABLE, 0)"
        case .coreLimitFailed: "setrlimit(RLIMIT_CORE, 0)"
        }
    }

    public var description: String {
        let code: Int32
        switch self {
        case .notDumpableFailed(let e), .coreLimitFailed(let e): code = e
        }
        return "\(call) failed: \(String(cString: strerror(code))) (errno \(code)); a core dump could contain the API secret, so keep LimitCORE=0 in the unit"
    }
}
