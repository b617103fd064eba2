import CastorCore

/// A `trade` or `block_trade` event.
public struct MarketDataV1Trade: Sendable, Hashable, Decodable {
    /// Which side rested: `bid`/`ask`, or `auction` for auction prints.
    public enum MakerSide: Sendable, Hashable {
        case bid, ask, auction
        case other(String)

        init(wireValue: String) {
            switch wireValue {
            case "bid": self = .bid
            case "ask": self = .ask
            case "auction": self = .auction
            default: self = .other(wireValue)
            }
        }

        /// The book side, when it is one.
        public var bookSide: BookSide? {
            switch self {
            case .bid: .bid
            case .ask: .ask
            default: nil
            }
        }
    }

    public let tid: Int64
    public let price: ExactDecimal
    public let amount: ExactDecimal
    /// Absent on block trades.
    public let makerSide: MakerSide?
    public let symbol: Symbol?

    /// The aggressor: lifting an ask is a buy. Nil for auctions and block trades.
    public var takerSide: Side? { makerSide?.bookSide?.takerSide }

    private enum CodingKeys: String, CodingKey { case tid, price, amount, makerSide, symbol }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tid = try c.decodeFlexibleInt64(.tid)
        price = try c.decode(ExactDecimal.self, forKey: .price)
        amount = try c.decode(ExactDecimal.self, forKey: .amount)
        makerSide = try c.decodeIfPresent(String.self, forKey: .makerSide).map(MakerSide.init(wireValue:))
        symbol = try c.decodeIfPresent(Symbol.self, forKey: .symbol)
    }
}
