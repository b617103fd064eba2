/// An order's `type` (REST) or `order_type` (order events), e.g. `exchange limit`.
///
/// String-backed so that order types Gemini adds later (or legacy auction types) decode
/// instead of failing the whole order.
public struct GeminiOrderType: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static let exchangeLimit: GeminiOrderType = "exchange limit"
    public static let exchangeStopLimit: GeminiOrderType = "exchange stop limit"
    public static let exchangeMarket: GeminiOrderType = "exchange market"
    public static let marketBuy: GeminiOrderType = "market buy"
    public static let marketSell: GeminiOrderType = "market sell"
    public static let blockTrade: GeminiOrderType = "block_trade"
    public static let auctionOnlyLimit: GeminiOrderType = "auction-only limit"
    public static let indicationOfInterestLimit: GeminiOrderType = "indication-of-interest limit"

    /// Every documented or observed type above.
    public static let known: Set<GeminiOrderType> = [
        exchangeLimit, exchangeStopLimit, exchangeMarket, marketBuy, marketSell, blockTrade,
        auctionOnlyLimit, indicationOfInterestLimit,
    ]
}
