import CastorCore

/// `/v1/notionalvolume`: fee tier (basis points) and trading volume (§3.8).
public struct NotionalVolume: Sendable, Hashable, Decodable {
    /// One day's notional volume.
    public struct DailyVolume: Sendable, Hashable, Decodable {
        public let date: String
        public let notionalVolume: ExactDecimal

        private enum CodingKeys: String, CodingKey { case date, notionalVolume = "notional_volume" }
    }

    public let apiMakerFeeBps: Int64?
    public let apiTakerFeeBps: Int64?
    public let apiAuctionFeeBps: Int64?
    public let webMakerFeeBps: Int64?
    public let webTakerFeeBps: Int64?
    public let webAuctionFeeBps: Int64?
    public let fixMakerFeeBps: Int64?
    public let fixTakerFeeBps: Int64?
    public let fixAuctionFeeBps: Int64?
    public let blockMakerFeeBps: Int64?
    public let blockTakerFeeBps: Int64?
    public let notional30dVolume: ExactDecimal?
    public let apiNotional30dVolume: ExactDecimal?
    public let lastUpdatedMilliseconds: Int64?
    public let date: String?
    public let notional1dVolume: [DailyVolume]

    private enum CodingKeys: String, CodingKey {
        case apiMaker = "api_maker_fee_bps", apiTaker = "api_taker_fee_bps", apiAuction = "api_auction_fee_bps"
        case webMaker = "web_maker_fee_bps", webTaker = "web_taker_fee_bps", webAuction = "web_auction_fee_bps"
        case fixMaker = "fix_maker_fee_bps", fixTaker = "fix_taker_fee_bps", fixAuction = "fix_auction_fee_bps"
        case blockMaker = "block_maker_fee_bps", blockTaker = "block_taker_fee_bps"
        case notional30d = "notional_30d_volume", apiNotional30d = "api_notional_30d_volume"
        case lastUpdated = "last_updated_ms", date, notional1d = "notional_1d_volume"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiMakerFeeBps = try c.decodeFlexibleInt64IfPresent(.apiMaker)
        apiTakerFeeBps = try c.decodeFlexibleInt64IfPresent(.apiTaker)
        apiAuctionFeeBps = try c.decodeFlexibleInt64IfPresent(.apiAuction)
        webMakerFeeBps = try c.decodeFlexibleInt64IfPresent(.webMaker)
        webTakerFeeBps = try c.decodeFlexibleInt64IfPresent(.webTaker)
        webAuctionFeeBps = try c.decodeFlexibleInt64IfPresent(.webAuction)
        fixMakerFeeBps = try c.decodeFlexibleInt64IfPresent(.fixMaker)
        fixTakerFeeBps = try c.decodeFlexibleInt64IfPresent(.fixTaker)
        fixAuctionFeeBps = try c.decodeFlexibleInt64IfPresent(.fixAuction)
        blockMakerFeeBps = try c.decodeFlexibleInt64IfPresent(.blockMaker)
        blockTakerFeeBps = try c.decodeFlexibleInt64IfPresent(.blockTaker)
        notional30dVolume = try c.decodeIfPresent(ExactDecimal.self, forKey: .notional30d)
        apiNotional30dVolume = try c.decodeIfPresent(ExactDecimal.self, forKey: .apiNotional30d)
        lastUpdatedMilliseconds = try c.decodeFlexibleInt64IfPresent(.lastUpdated)
        date = try c.decodeIfPresent(String.self, forKey: .date)
        notional1dVolume = try c.decodeIfPresent([DailyVolume].self, forKey: .notional1d) ?? []
    }
}
