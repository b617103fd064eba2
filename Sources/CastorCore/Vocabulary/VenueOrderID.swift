/// An exchange-assigned order id. Gemini's are 64-bit integers (sent as JSON numbers by
/// REST and as strings by some feeds), so the id is kept as an `Int64`; text that is not a
/// decimal `Int64` is not an order id and is refused where it enters.
public struct VenueOrderID: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// A literal id (tests and fixtures); the compiler checks it fits an `Int64`.
    public init(integerLiteral value: Int64) { rawValue = value }

    /// Parses decimal digits (`"0042"` and `"42"` are the same id); nil for anything else,
    /// including a value past `Int64.max`.
    public init?(_ text: some StringProtocol) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text) else { return nil }
        rawValue = value
    }

    public var description: String { String(rawValue) }

    public static func < (a: VenueOrderID, b: VenueOrderID) -> Bool { a.rawValue < b.rawValue }
}
