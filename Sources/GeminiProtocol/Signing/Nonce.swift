/// A request nonce: a count of milliseconds since the Unix epoch.
///
/// Keeping one integer unit internally lets the nonce source compare, persist and step
/// nonces without floating point; `NonceFormat` decides only how it is written.
public struct Nonce: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let milliseconds: Int64

    /// - Precondition: `milliseconds >= 0` (Gemini nonces are positive epoch times).
    public init(milliseconds: Int64) {
        precondition(milliseconds >= 0, "a nonce is a non-negative epoch time in milliseconds")
        self.milliseconds = milliseconds
    }

    /// A nonce at a whole number of seconds, as in the integer-seconds vectors of API.md §2.6.
    public init(seconds: Int64) {
        self.init(milliseconds: seconds * 1_000)
    }

    public static func < (lhs: Nonce, rhs: Nonce) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The value as text without JSON quoting: `1712045678.123`, `1712045678123` or `1712045678`.
    public func text(_ format: NonceFormat) -> String {
        switch format {
        case .milliseconds:
            return String(milliseconds)
        case .seconds:
            return String(milliseconds / 1_000)
        case .secondsWithMillis:
            let fraction = milliseconds % 1_000
            // Always three fraction digits: "…678.005", not "…678.5" (which would mean 500 ms).
            let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
            return "\(milliseconds / 1_000).\(padded)"
        }
    }

    /// The value as a JSON token: a quoted string for `.secondsWithMillis`, a number otherwise.
    public func json(_ format: NonceFormat) -> String {
        switch format {
        case .secondsWithMillis: "\"\(text(format))\""
        case .milliseconds, .seconds: text(format)
        }
    }

    /// The default written form, `secondsWithMillis` without quotes.
    public var description: String { text(.secondsWithMillis) }
}
