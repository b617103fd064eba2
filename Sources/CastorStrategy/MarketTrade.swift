import CastorCore

/// A trade printed on the public market (anyone's, not necessarily ours; ours arrive as
/// ``Fill``).
public struct MarketTrade: Sendable, Hashable {
    public var symbol: String
    public var tradeID: String
    public var price: ExactDecimal
    public var amount: ExactDecimal
    /// The taker's side; nil when the feed does not say.
    public var takerSide: Side?
    public var timestampMs: Int64

    public init(symbol: String, tradeID: String, price: ExactDecimal, amount: ExactDecimal, takerSide: Side?, timestampMs: Int64) {
        self.symbol = symbol
        self.tradeID = tradeID
        self.price = price
        self.amount = amount
        self.takerSide = takerSide
        self.timestampMs = timestampMs
    }
}
