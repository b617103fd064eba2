#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells systemd about the daemon's state through the `sd_notify` protocol.
///
/// The protocol is one datagram of newline-separated `KEY=VALUE` assignments sent to the
/// `AF_UNIX` socket named by `$NOTIFY_SOCKET` (a path, or an abstract name written with a
/// leading `@`). That is a single `sendto(2)`, so it is written here by hand rather than
/// linking libsystemd: one less shared library in the hardened unit, and no C types leak
/// into the daemon. See `sd_notify(3)` and systemd's `NOTIFY_SOCKET` documentation.
///
/// With `NOTIFY_SOCKET` unset (run outside systemd, or under `Type=simple`) every method is
/// a no-op that succeeds, so callers never need to check where they run.
///
/// Thread safety: all stored properties are immutable after `init`; concurrent `sendto(2)`
/// calls on one datagram socket are atomic per message, so the type is plainly `Sendable`.
public final class SystemdNotifier: Sendable {
    /// The socket address bytes (`sockaddr_un`) and their length, or nil when disabled.
    private let address: [UInt8]?
    private let fd: Int32

    /// Whether a notification socket is configured; false means every call is a no-op.
    public var isEnabled: Bool { address != nil }

    /// A notifier for the socket named by `$NOTIFY_SOCKET` in the process environment.
    public convenience init() {
        self.init(socketPath: getenv("NOTIFY_SOCKET").map { String(cString: $0) })
    }

    /// A notifier for an explicit socket path (`/run/systemd/notify`, or `@name` for an
    /// abstract socket). Nil or empty disables notifications.
    public init(socketPath: String?) {
        guard let path = socketPath, !path.isEmpty, let address = Self.socketAddress(path) else {
            self.address = nil
            self.fd = -1
            return
        }
        self.address = address
        self.fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// `READY=1`: startup (or a reload) finished; send it once the feeds are subscribed.
    public func ready(status: String? = nil) throws(SystemdNotifyError) {
        try send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC`, as systemd expects before a reload; follow with
    /// `ready()` when the new configuration is live.
    public func reloading() throws(SystemdNotifyError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    /// `STOPPING=1`: graceful shutdown has begun.
    public func stopping() throws(SystemdNotifyError) {
        try send(["STOPPING=1"])
    }

    /// `STATUS=…`: a one-line human-readable status shown by `systemctl status`.
    public func status(_ text: String) throws(SystemdNotifyError) {
        try send(["STATUS=\(Self.singleLine(text))"])
    }

    /// `WATCHDOG=1`: the engine's own loop is alive; send every `WatchdogSettings.pingInterval`.
    public func watchdog() throws(SystemdNotifyError) {
        try send(["WATCHDOG=1"])
    }

    /// Sends raw assignments (`KEY=VALUE`) in one datagram.
    public func send(_ assignments: [String]) throws(SystemdNotifyError) {
        guard let address else { return }
        guard fd >= 0 else { throw .socketUnavailable }
        let message = Array(assignments.map(Self.singleLine).joined(separator: "\n").utf8)
        let sent = address.withUnsafeBytes { addr in
            message.withUnsafeBytes { msg in
                sendto(fd, msg.baseAddress, msg.count, Int32(MSG_NOSIGNAL),
                       addr.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(addr.count))
            }
        }
        if sent < 0 { throw .sendFailed(errno: errno) }
    }

    /// A newline would start a new assignment in the datagram; keep each value on one line.
    private static func singleLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd uses for `MONOTONIC_USEC`.
    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }

    /// Builds a `sockaddr_un`; an abstract name (`@…`) starts with a NUL byte and its length
    /// excludes any terminator, as the kernel compares abstract names byte for byte.
    static func socketAddress(_ path: String) -> [UInt8]? {
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let capacity = MemoryLayout<sockaddr_un>.size - pathOffset
        guard bytes.count < capacity else { return nil }
        var storage = [UInt8](repeating: 0, count: MemoryLayout<sockaddr_un>.size)
        storage.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: sa_family_t(AF_UNIX), toByteOffset: 0, as: sa_family_t.self)
        }
        storage.replaceSubrange(pathOffset..<pathOffset + bytes.count, with: bytes)
        let length = pathOffset + bytes.count + (abstract ? 0 : 1)
        return Array(storage[0..<length])
    }
}

/// Why a notification could not be sent.
public enum SystemdNotifyError: Error, Equatable, CustomStringConvertible {
    /// `socket(AF_UNIX, SOCK_DGRAM)` failed when the notifier was created.
    case socketUnavailable
    /// `sendto(2)` failed with `errno`.
    case sendFailed(errno: Int32)

    public var description: String {
        switch self {
        case .socketUnavailable:
            "sd_notify: could not create an AF_UNIX datagram socket; check RestrictAddressFamilies allows AF_UNIX"
        case .sendFailed(let code):
            "sd_notify: sendto($NOTIFY_SOCKET) failed: \(String(cString: strerror(code))) (errno \(code)); systemd may not see READY/WATCHDOG — check NotifyAccess= and the socket path"
        }
    }
}
