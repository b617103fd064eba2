/// A venue's machine-readable reason: why an order was rejected or cancelled, why a cancel
/// was refused, or why a request failed (Gemini's `reason` codes, say).
///
/// String-backed rather than an enum because venues add codes without notice; an unknown
/// code must survive so it can be logged and journaled as sent.
public struct VenueReason: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// Recorded for an order not resent because new orders are halted for maintenance
    /// (Gemini's code for it, so the journal reads the same either way).
    public static let maintenance: VenueReason = "Maintenance"
}
