#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a `NonceSource` could not load or persist its high-water mark.
///
/// A nonce source never guesses: issuing a nonce it cannot prove is higher than every
/// earlier one would, on a counter key, make Gemini reject all later requests.
public enum NonceSourceError: Error, Equatable, CustomStringConvertible {
    /// The nonce file exists but could not be read (`errno` from the failing call).
    case unreadable(path: String, errno: Int32)
    /// The nonce file does not hold a single non-negative integer of milliseconds.
    case corrupt(path: String, contents: String)
    /// Persisting the new high-water mark failed at `operation` (`open`, `write`, `fsync`,
    /// `rename`, …); the nonce was not issued.
    case writeFailed(path: String, operation: String, errno: Int32)
    /// The next nonce would lead the wall clock by `leadMilliseconds`, more than the bound:
    /// requests came faster than the nonce format allows (one per second for whole
    /// seconds), or an earlier run persisted a mark that far ahead. No nonce was issued;
    /// the source recovers by itself once the clock has caught up.
    case aheadOfClock(leadMilliseconds: Int64, limitMilliseconds: Int64)

    public var description: String {
        switch self {
        case .unreadable(let path, let code):
            "cannot read nonce file \(path): \(Self.message(code)); fix its permissions (owner read/write, mode 0600) and restart"
        case .corrupt(let path, let contents):
            "nonce file \(path) is corrupt (contents: \(contents.debugDescription)); it must hold one integer of milliseconds. "
                + "Restore it from a backup, or write a value above the last nonce this API key used "
                + "(e.g. the current Unix time in ms plus 60000); deleting it is safe only if the clock is ahead of every nonce ever sent"
        case .writeFailed(let path, let operation, let code):
            "cannot persist nonce high-water mark to \(path) (\(operation): \(Self.message(code))); "
                + "no nonce was issued. Check free disk space and that the directory is writable"
        case .aheadOfClock(let lead, let limit):
            "the next nonce would be \(lead) ms ahead of the clock (limit \(limit) ms; time-based keys reject nonces "
                + "more than 30 s from server time); no nonce was issued, and nonces resume once the clock catches up. "
                + "With nonce_format = \"seconds\" keep private requests at one per second; check the host's clock (NTP)"
        }
    }

    private static func message(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
