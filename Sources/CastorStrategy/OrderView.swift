import CastorCore

/// The engine's view of one of our orders.
public struct OrderView: Sendable, Hashable {
    public var clientOrderID: String
    /// Gemini's order id; nil until the exchange has answered.
    public var exchangeOrderID: String?
    public var symbol: String
    public var side: Side
    public var price: ExactDecimal
    public var originalAmount: ExactDecimal
    public var executedAmount: ExactDecimal
    public var remainingAmount: ExactDecimal
    /// The execution option; nil for a plain limit order.
    public var options: OrderOption?
    public var state: OrderState

    public init(
        clientOrderID: String, exchangeOrderID: String?, symbol: String, side: Side, price: ExactDecimal,
        originalAmount: ExactDecimal, executedAmount: ExactDecimal, remainingAmount: ExactDecimal,
        options: OrderOption? = nil, state: OrderState
    ) {
        self.clientOrderID = clientOrderID
        self.exchangeOrderID = exchangeOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.originalAmount = originalAmount
        self.executedAmount = executedAmount
        self.remainingAmount = remainingAmount
        self.options = options
        self.state = state
    }
}
