import CastorCore

/// `/v1/book/{symbol}`: aggregated price levels, best first.
public struct OrderBookSnapshot: Sendable, Hashable, Decodable {
    /// One aggregated price level.
    public struct Level: Sendable, Hashable, Decodable {
        public let price: ExactDecimal
        public let amount: ExactDecimal
        /// Seconds (a string on the wire); documented as meaningless for aggregated levels.
        public let timestampSeconds: Int64?

        private enum CodingKeys: String, CodingKey { case price, amount, timestamp }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            price = try c.decode(ExactDecimal.self, forKey: .price)
            amount = try c.decode(ExactDecimal.self, forKey: .amount)
            timestampSeconds = try c.decodeFlexibleInt64IfPresent(.timestamp)
        }
    }

    public let bids: [Level]
    public let asks: [Level]

    private enum CodingKeys: String, CodingKey { case bids, asks }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bids = try c.decodeIfPresent([Level].self, forKey: .bids) ?? []
        asks = try c.decodeIfPresent([Level].self, forKey: .asks) ?? []
    }
}
