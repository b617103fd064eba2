/// One entry of an `update` frame's `events` array.
public enum MarketDataV1Event: Sendable, Hashable, Decodable {
    case change(BookChange)
    case trade(MarketDataV1Trade)
    /// A block trade; off-book, does not change the book.
    case blockTrade(MarketDataV1Trade)
    case auctionOpen(AuctionOpen)
    case auctionIndicative(AuctionOutcome)
    case auctionResult(AuctionOutcome)
    /// An event type this module does not know; skipped, not an error (§8.4).
    case unknown(type: String)

    private enum CodingKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "change": self = .change(try BookChange(from: decoder))
        case "trade": self = .trade(try MarketDataV1Trade(from: decoder))
        case "block_trade": self = .blockTrade(try MarketDataV1Trade(from: decoder))
        case "auction_open": self = .auctionOpen(try AuctionOpen(from: decoder))
        case "auction_indicative": self = .auctionIndicative(try AuctionOutcome(from: decoder))
        case "auction_result": self = .auctionResult(try AuctionOutcome(from: decoder))
        default: self = .unknown(type: type)
        }
    }

    /// The wire `type`.
    public var type: String {
        switch self {
        case .change: "change"
        case .trade: "trade"
        case .blockTrade: "block_trade"
        case .auctionOpen: "auction_open"
        case .auctionIndicative: "auction_indicative"
        case .auctionResult: "auction_result"
        case .unknown(let type): type
        }
    }
}
