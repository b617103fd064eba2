import CastorCore

/// An `auction_indicative` or `auction_result` event. Indicative events carry
/// `indicative_price`/`indicative_quantity`, results `auction_price`/`auction_quantity`
/// (v2 also uses the latter for indicative events), so all are optional.
public struct AuctionOutcome: Sendable, Hashable, Decodable {
    public let eventID: Int64?
    /// `success` or `failure`.
    public let result: String
    public let timeMilliseconds: Int64?
    public let highestBidPrice: ExactDecimal?
    public let lowestAskPrice: ExactDecimal?
    public let collarPrice: ExactDecimal?
    public let indicativePrice: ExactDecimal?
    public let indicativeQuantity: ExactDecimal?
    public let auctionPrice: ExactDecimal?
    public let auctionQuantity: ExactDecimal?
    public let symbol: Symbol?

    /// The price whichever field carries it.
    public var price: ExactDecimal? { auctionPrice ?? indicativePrice }
    /// The quantity whichever field carries it.
    public var quantity: ExactDecimal? { auctionQuantity ?? indicativeQuantity }

    private enum CodingKeys: String, CodingKey {
        case eid, result, timeMs = "time_ms"
        case highestBid = "highest_bid_price", lowestAsk = "lowest_ask_price", collar = "collar_price"
        case indicativePrice = "indicative_price", indicativeQuantity = "indicative_quantity"
        case auctionPrice = "auction_price", auctionQuantity = "auction_quantity", symbol
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try c.decodeFlexibleInt64IfPresent(.eid)
        result = try c.decode(String.self, forKey: .result)
        timeMilliseconds = try c.decodeFlexibleInt64IfPresent(.timeMs)
        highestBidPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .highestBid)
        lowestAskPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .lowestAsk)
        collarPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .collar)
        indicativePrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .indicativePrice)
        indicativeQuantity = try c.decodeIfPresent(ExactDecimal.self, forKey: .indicativeQuantity)
        auctionPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .auctionPrice)
        auctionQuantity = try c.decodeIfPresent(ExactDecimal.self, forKey: .auctionQuantity)
        symbol = try c.decodeIfPresent(Symbol.self, forKey: .symbol)
    }
}
