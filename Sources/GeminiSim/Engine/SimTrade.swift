import CastorCore

/// One account's side of one execution: a `/v1/mytrades` element (API.md §3.6) and the
/// ledger's fill record. Every execution yields two: the buyer's and the seller's.
public struct SimTrade: Sendable, Hashable {
    /// `tid`, shared by both sides of the execution (also the fill event's `trade_id`).
    public var tid: Int64
    /// The account this side belongs to.
    public var accountId: Int64
    /// `order_id` of this side's order.
    public var orderId: Int64
    /// `client_order_id` of this side's order.
    public var clientOrderId: String?
    /// Upper-case symbol, as `/v1/mytrades` shows it.
    public var symbol: String
    /// This side (`type` renders as `side.capitalized`: `Buy`/`Sell`).
    public var side: Side
    /// True when this side took liquidity.
    public var aggressor: Bool
    /// Execution price (the maker's price).
    public var price: ExactDecimal
    /// Executed quantity.
    public var amount: ExactDecimal
    /// Fee charged to this side, in `feeCurrency`.
    public var feeAmount: ExactDecimal
    /// The symbol's quote currency.
    public var feeCurrency: String
    /// Execution time in ms.
    public var timestampms: Int64

    /// Maker/Taker, for the order `fill` event.
    public var liquidity: SimLiquidity { aggressor ? .taker : .maker }
    /// `timestamp` in whole seconds.
    public var timestamp: Int64 { timestampms / 1000 }
}
