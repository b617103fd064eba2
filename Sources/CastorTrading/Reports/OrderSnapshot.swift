import CastorCore

/// One order as the venue describes it at one moment: the answer to a placement, a
/// cancel or a lookup, or a row of the open orders. The venue layer builds it from its
/// wire format; the order manager and the reconciler read nothing else.
public struct OrderSnapshot: Sendable, Hashable {
    /// Where the order stands.
    public enum State: Sendable, Hashable {
        case open, cancelled, filled
    }

    /// The venue's order id (digits kept exact: Gemini's exceed 2^53).
    public let orderID: VenueOrderID
    public let clientOrderID: String?
    public let symbol: Symbol
    public let side: Side
    /// Limit price; nil for market orders.
    public let price: ExactDecimal?
    /// Nil when the venue omits it (Gemini's market buys).
    public let originalAmount: ExactDecimal?
    /// Cumulative executed quantity.
    public let executedAmount: ExactDecimal?
    public let remainingAmount: ExactDecimal?
    /// The execution options as the venue spells them (e.g. `maker-or-cancel`).
    public let options: [String]
    public let state: State
    /// Why it was cancelled, when it was.
    public let reason: VenueReason?
    /// Milliseconds since the epoch, when known.
    public let timestampMs: Int64?
    /// The order's executions, when the venue included them.
    public let trades: [TradeReport]?

    public init(orderID: VenueOrderID, clientOrderID: String?, symbol: Symbol, side: Side, price: ExactDecimal?,
                originalAmount: ExactDecimal?, executedAmount: ExactDecimal?, remainingAmount: ExactDecimal?,
                options: [String] = [], state: State, reason: VenueReason? = nil, timestampMs: Int64? = nil,
                trades: [TradeReport]? = nil) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.originalAmount = originalAmount
        self.executedAmount = executedAmount
        self.remainingAmount = remainingAmount
        self.options = options
        self.state = state
        self.reason = reason
        self.timestampMs = timestampMs
        self.trades = trades
    }
}
