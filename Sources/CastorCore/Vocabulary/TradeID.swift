/// A Gemini trade id in canonical form (decimal digits, no leading zeros), so the
/// `trade_id` string of a `fill` event and the numeric `tid` of `/v1/mytrades` compare equal.
public struct TradeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical text: digits without leading zeros, or the input unchanged when it is
    /// not all digits (so an unexpected id still shows up as the exchange sent it).
    public let rawValue: String

    /// Canonicalises a `trade_id` string (`"007"` → `"7"`).
    public init(_ raw: String) {
        let trimmed = raw.drop(while: { $0 == "0" })
        if raw.allSatisfy(\.isNumber), !raw.isEmpty {
            rawValue = trimmed.isEmpty ? "0" : String(trimmed)
        } else {
            rawValue = raw
        }
    }

    /// A numeric `tid` (as `/v1/mytrades` sends it).
    public init(_ tid: Int64) { rawValue = String(tid) }

    public var description: String { rawValue }

    /// Numeric order for canonical ids (shorter is smaller), text order otherwise.
    public static func < (a: TradeID, b: TradeID) -> Bool {
        a.rawValue.count != b.rawValue.count ? a.rawValue.count < b.rawValue.count : a.rawValue < b.rawValue
    }
}
