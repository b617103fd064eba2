import CastorCore

/// An `auction_open` event: the schedule of an upcoming auction (all times in ms).
public struct AuctionOpen: Sendable, Hashable, Decodable {
    public let auctionOpenMilliseconds: Int64?
    public let auctionTimeMilliseconds: Int64?
    public let firstIndicativeMilliseconds: Int64?
    public let lastCancelTimeMilliseconds: Int64?
    public let symbol: Symbol?

    private enum CodingKeys: String, CodingKey {
        case open = "auction_open_ms", time = "auction_time_ms"
        case firstIndicative = "first_indicative_ms", lastCancel = "last_cancel_time_ms", symbol
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        auctionOpenMilliseconds = try c.decodeFlexibleInt64IfPresent(.open)
        auctionTimeMilliseconds = try c.decodeFlexibleInt64IfPresent(.time)
        firstIndicativeMilliseconds = try c.decodeFlexibleInt64IfPresent(.firstIndicative)
        lastCancelTimeMilliseconds = try c.decodeFlexibleInt64IfPresent(.lastCancel)
        symbol = try c.decodeIfPresent(Symbol.self, forKey: .symbol)
    }
}
