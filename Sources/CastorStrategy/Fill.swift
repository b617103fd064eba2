import CastorCore

/// One execution of one of our orders.
public struct Fill: Sendable, Hashable {
    /// Whether we added or took liquidity (decides the fee rate).
    public enum Liquidity: String, Sendable, Hashable {
        case maker
        case taker
        case auction
        case unknown
    }

    public var tradeID: String
    public var clientOrderID: String
    public var exchangeOrderID: String?
    public var symbol: String
    public var side: Side
    public var price: ExactDecimal
    public var amount: ExactDecimal
    public var fee: ExactDecimal
    public var feeCurrency: String
    public var liquidity: Liquidity
    public var timestampMs: Int64

    public init(
        tradeID: String, clientOrderID: String, exchangeOrderID: String?, symbol: String, side: Side,
        price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal, feeCurrency: String,
        liquidity: Liquidity, timestampMs: Int64
    ) {
        self.tradeID = tradeID
        self.clientOrderID = clientOrderID
        self.exchangeOrderID = exchangeOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.amount = amount
        self.fee = fee
        self.feeCurrency = feeCurrency
        self.liquidity = liquidity
        self.timestampMs = timestampMs
    }
}
