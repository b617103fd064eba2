import CastorCore

/// An order as Gemini's order-status object and order events describe it (API.md §3.1,
/// §3.4, §6.3). The server renders ids and decimals as strings and `symbol` in lower case.
public struct SimOrderSnapshot: Sendable, Hashable {
    /// `order_id` (and `id`).
    public var orderId: Int64
    /// `client_order_id`, when the client sent one.
    public var clientOrderId: String?
    /// Owning account.
    public var accountId: Int64
    /// `api_session`: the API key (session) that created the order.
    public var apiSession: String
    /// Upper-case symbol; `symbolLowercased` is what REST order objects show.
    public var symbol: String
    /// `side`.
    public var side: Side
    /// `type` / `order_type`: `exchange limit` or `exchange stop limit`.
    public var orderType: String
    /// `options`, as accepted (empty or one element).
    public var options: [String]
    /// Creation time in ms (`timestampms`; `timestamp` is this / 1000 as a string).
    public var timestampms: Int64
    /// Resting on the book or waiting for its stop.
    public var isLive: Bool
    /// Cancelled (by request, by an option, by self-trade prevention …).
    public var isCancelled: Bool
    /// Volume-weighted fill price; zero at the quote increment's scale (`0.00`) when unfilled.
    public var avgExecutionPrice: ExactDecimal
    /// Cumulative filled quantity.
    public var executedAmount: ExactDecimal
    /// Unfilled quantity (kept after a cancel, as Gemini does).
    public var remainingAmount: ExactDecimal
    /// Requested quantity.
    public var originalAmount: ExactDecimal
    /// Limit price.
    public var price: ExactDecimal
    /// Stop price of a stop-limit order.
    public var stopPrice: ExactDecimal?
    /// Cancel reason (`Requested`, `MakerOrCancelWouldTake`, …) once cancelled, or the reject
    /// reason on a `rejected` event's snapshot.
    public var reason: String?
    /// Fills of this order, oldest first; only filled in when trades were asked for
    /// (`include_trades`) or in the ledger.
    public var trades: [SimTrade]?
    /// REST or the WebSocket API (`via` in `GET /sim/ledger`).
    public var channel: SimOrderChannel = .rest
    /// The WebSocket API connection that placed the order; nil over REST.
    public var connection: UInt64? = nil

    /// `is_hidden`: always false, as Gemini documents.
    public var isHidden: Bool { false }
    /// `was_forced`: always false, as Gemini documents.
    public var wasForced: Bool { false }
    /// Lower-case symbol for REST order objects and order events.
    public var symbolLowercased: String { symbol.lowercased() }
    /// `timestamp` in whole seconds.
    public var timestamp: Int64 { timestampms / 1000 }
    /// Filled and gone from the book (neither live nor cancelled): ccxt's "closed".
    public var isFilled: Bool { !isLive && !isCancelled && remainingAmount.isZero }
}
