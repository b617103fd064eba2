import CastorCore

/// The nested `fill` object of a `fill` order event: one execution of the order.
public struct OrderFill: Sendable, Hashable, Decodable {
    /// Whether this order was the resting (maker) or the incoming (taker) side.
    public enum Liquidity: Sendable, Hashable {
        case maker
        case taker
        /// Another spelling (e.g. auction fills); kept verbatim.
        case other(String)

        init(wireValue: String) {
            switch wireValue.lowercased() {
            case "maker": self = .maker
            case "taker": self = .taker
            default: self = .other(wireValue)
            }
        }
    }

    /// Gemini's trade id; matches `tid` in `/v1/mytrades`.
    public let tradeID: String
    public let liquidity: Liquidity
    /// Execution price of this fill.
    public let price: ExactDecimal
    /// Quantity of this fill (the outer event's amounts are cumulative).
    public let amount: ExactDecimal
    public let fee: ExactDecimal
    public let feeCurrency: String

    public init(tradeID: String, liquidity: Liquidity, price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal, feeCurrency: String) {
        self.tradeID = tradeID
        self.liquidity = liquidity
        self.price = price
        self.amount = amount
        self.fee = fee
        self.feeCurrency = feeCurrency
    }

    private enum CodingKeys: String, CodingKey {
        case tradeID = "trade_id", liquidity, price, amount, fee
        case feeCurrency = "fee_currency"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeID = try c.decodeID(.tradeID)
        liquidity = Liquidity(wireValue: try c.decode(String.self, forKey: .liquidity))
        price = try c.decode(ExactDecimal.self, forKey: .price)
        amount = try c.decode(ExactDecimal.self, forKey: .amount)
        fee = try c.decode(ExactDecimal.self, forKey: .fee)
        feeCurrency = try c.decode(String.self, forKey: .feeCurrency)
    }
}
