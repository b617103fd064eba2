/// A Gemini trading pair such as `BTCUSD`, `1INCHUSD` or `BTCGUSDPERP`.
///
/// Gemini writes symbols lower-case in order objects and `/v1/symbols` but upper-case in
/// symbol details, `/v1/mytrades` and market data v2 (§8.6); the canonical form here is
/// upper-case so the same pair always compares equal. The symbol is deliberately opaque:
/// pairs cannot be split by length (`btcgusd`, `1inchusd`, `btcusdt`), so base and quote
/// come only from `/v1/symbols/details`.
public struct Symbol: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The canonical upper-case form.
    public let rawValue: String

    /// Normalises any case; surrounding whitespace is not expected on the wire and is kept,
    /// so it shows up in logs instead of being silently repaired.
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    public init(_ text: String) { self.init(rawValue: text) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Lower-case, the form REST paths and `symbolFilter` use.
    public var lowercased: String { rawValue.lowercased() }

    public var description: String { rawValue }

    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard !text.isEmpty else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "empty symbol")
        }
        self.init(rawValue: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
