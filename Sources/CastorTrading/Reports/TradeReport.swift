import CastorCore

/// One of our own executions as the venue's trade history reports it (Gemini's
/// `/v1/mytrades`, or the trades of an order's status).
public struct TradeReport: Sendable, Hashable {
    public let tradeID: Int64
    public let orderID: VenueOrderID
    public let clientOrderID: String?
    /// Nil in old responses without one (the caller may know it).
    public let symbol: Symbol?
    /// Our side.
    public let side: Side
    public let price: ExactDecimal
    public let amount: ExactDecimal
    public let fee: ExactDecimal?
    public let feeCurrency: String?
    /// True when we were the taker.
    public let isTaker: Bool?
    /// Milliseconds since the epoch, when known.
    public let timestampMs: Int64?
    /// True when the venue reversed the trade completely: it must not be counted.
    public let isFullyBroken: Bool
    /// Why this row cannot be counted (a malformed number the venue layer could only
    /// replace by a placeholder), or nil for a good row.
    public let rejection: String?

    public init(tradeID: Int64, orderID: VenueOrderID, clientOrderID: String?, symbol: Symbol?, side: Side,
                price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal?, feeCurrency: String?,
                isTaker: Bool?, timestampMs: Int64?, isFullyBroken: Bool = false, rejection: String? = nil) {
        self.tradeID = tradeID
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.amount = amount
        self.fee = fee
        self.feeCurrency = feeCurrency
        self.isTaker = isTaker
        self.timestampMs = timestampMs
        self.isFullyBroken = isFullyBroken
        self.rejection = rejection
    }
}
