import CastorCore

/// What a strategy wants: a limit order. The manager gives it a client order id.
public struct OrderIntent: Sendable, Hashable {
    public let symbol: Symbol
    public let side: Side
    public let amount: ExactDecimal
    public let price: ExactDecimal
    public let option: OrderOption?
    /// After this time the intent is stale: it is dropped rather than sent (or resent) late.
    public let deadlineMs: Int64?

    public init(symbol: Symbol, side: Side, amount: ExactDecimal, price: ExactDecimal,
                option: OrderOption? = nil, deadlineMs: Int64? = nil) {
        self.symbol = symbol
        self.side = side
        self.amount = amount
        self.price = price
        self.option = option
        self.deadlineMs = deadlineMs
    }

    public var notional: ExactDecimal { price * amount }
}
