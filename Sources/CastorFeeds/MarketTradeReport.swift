import CastorCore

/// A trade printed on the venue's public market (anyone's, not necessarily ours: ours
/// arrive on the order-events feed as fills), as the market-data adapter reports it.
///
/// The venue's wire format stays in the adapter (`MarketTradeReport(gemini:symbol:)`); this is
/// what the engine reads. A value type of fixed-size fields and one shared `Symbol`, so
/// reporting one costs no allocation.
public struct MarketTradeReport: Sendable, Hashable {
    public var symbol: Symbol
    /// The venue's id of the trade.
    public var tradeID: Int64
    public var price: ExactDecimal
    public var amount: ExactDecimal
    /// The side of the order that took liquidity.
    public var takerSide: Side
    /// When the venue matched it, Unix milliseconds.
    public var timestampMs: Int64
    /// History sent along with a book snapshot after a (re)connect, not a new trade.
    public var fromSnapshot: Bool

    public init(symbol: Symbol, tradeID: Int64, price: ExactDecimal, amount: ExactDecimal, takerSide: Side,
                timestampMs: Int64, fromSnapshot: Bool = false) {
        self.symbol = symbol
        self.tradeID = tradeID
        self.price = price
        self.amount = amount
        self.takerSide = takerSide
        self.timestampMs = timestampMs
        self.fromSnapshot = fromSnapshot
    }
}
