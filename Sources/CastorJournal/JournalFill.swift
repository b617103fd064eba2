import CastorCore

/// One execution, keyed by Gemini's trade id so the same fill reported by the WebSocket,
/// a REST response and `/v1/mytrades` is counted once.
public struct JournalFill: Sendable, Hashable {
    /// Maker or taker (`/v1/mytrades` says `aggressor: true` for taker).
    public enum Liquidity: String, Sendable, Hashable, CaseIterable {
        case maker
        case taker
    }

    /// Gemini's trade id (`tid` in mytrades, `fill.trade_id` on the WebSocket), as text.
    public var tradeID: String
    public var orderID: String
    /// Castor's client order id, when the source reported it or the order is known.
    public var clientOrderID: String?
    /// Stored lower-case, so `BTCUSD` (mytrades) and `btcusd` (REST) aggregate together.
    public var symbol: String
    public var side: Side
    public var price: ExactDecimal
    /// This fill's quantity (not the order's cumulative amount).
    public var amount: ExactDecimal
    public var fee: ExactDecimal
    /// Stored upper-case (`USD`, `BTC`).
    public var feeCurrency: String
    public var liquidity: Liquidity?
    /// Exchange time of the trade, Unix milliseconds (`timestampms`).
    public var timestampMs: Int64

    public init(
        tradeID: String, orderID: String, clientOrderID: String?, symbol: String, side: Side,
        price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal, feeCurrency: String,
        liquidity: Liquidity?, timestampMs: Int64
    ) {
        self.tradeID = tradeID
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol.lowercased()
        self.side = side
        self.price = price
        self.amount = amount
        self.fee = fee
        self.feeCurrency = feeCurrency.uppercased()
        self.liquidity = liquidity
        self.timestampMs = timestampMs
    }
}
