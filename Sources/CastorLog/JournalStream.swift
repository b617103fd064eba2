#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Whether a descriptor is systemd's stream to journald, and the syslog priority prefix
/// journald reads from the start of each line (sd-daemon(3)).
///
/// systemd sets `JOURNAL_STREAM=<device>:<inode>` (decimal) for a service whose stdout or
/// stderr it connected to the journal. The variable is inherited by children whose output
/// goes elsewhere, so it counts only when it names the descriptor's own `st_dev:st_ino`
/// (systemd.exec(5)). On such a stream a line that starts with `<N>` is filed at priority N
/// and the prefix is stripped; without one every line is filed at `info`, and
/// `journalctl -p warning` hides even the critical lines.
public enum JournalStream {
    /// The environment variable systemd sets.
    public static let variable = "JOURNAL_STREAM"

    /// True when `value` (the `JOURNAL_STREAM` value, nil when unset) names `fd`'s device
    /// and inode.
    public static func isJournal(fd: Int32, journalStream value: String?) -> Bool {
        guard let value, let named = parse(value), let actual = identity(of: fd) else { return false }
        return named == actual
    }

    /// True when the process's `JOURNAL_STREAM` names `fd` (the daemon's stdout by default).
    public static func isJournal(fd: Int32 = 1) -> Bool {
        isJournal(fd: fd, journalStream: getenv(variable).map { String(cString: $0) })
    }

    /// `device:inode` of an open descriptor, as `JOURNAL_STREAM` spells it.
    public static func identity(of fd: Int32) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// `"<device>:<inode>"` → the pair; nil unless both are decimal numbers.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }

    /// The syslog priority of a swift-log level: critical 2 (crit), error 3 (err), warning 4,
    /// notice 5, info 6, debug and trace 7 (debug). Nothing in swift-log maps to 0 or 1.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    /// Appends `<N>` for `level`.
    static func appendPrefix(for level: Logger.Level, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out.append(UInt8(ascii: "0") + UInt8(priority(of: level)))
        out.append(UInt8(ascii: ">"))
    }
}
