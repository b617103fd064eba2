import CastorCore

/// One element of `/v1/trades/{symbol}` (newest first).
public struct PublicTrade: Sendable, Hashable, Decodable {
    /// Exceeds 2^53 on newer pairs (`2840140831246421`); sent as number or string.
    public let tid: Int64
    public let price: ExactDecimal
    public let amount: ExactDecimal
    /// The taker side: `buy` means an ask was lifted. Auction and block prints may use
    /// other words, so unknown values are nil rather than an error.
    public let takerSide: Side?
    /// The raw `type` text (`buy`, `sell`, `auction`, `block`).
    public let type: String
    public let timestampSeconds: Int64?
    public let timestampMilliseconds: Int64?
    public let exchange: String?
    /// Present with `include_breaks`.
    public let broken: Bool?

    private enum CodingKeys: String, CodingKey { case tid, price, amount, type, timestamp, timestampms, exchange, broken }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tid = try c.decodeFlexibleInt64(.tid)
        price = try c.decode(ExactDecimal.self, forKey: .price)
        amount = try c.decode(ExactDecimal.self, forKey: .amount)
        type = try c.decode(String.self, forKey: .type)
        takerSide = Side(wireValue: type)
        timestampSeconds = try c.decodeFlexibleInt64IfPresent(.timestamp)
        timestampMilliseconds = try c.decodeFlexibleInt64IfPresent(.timestampms)
        exchange = try c.decodeIfPresent(String.self, forKey: .exchange)
        broken = try c.decodeIfPresent(Bool.self, forKey: .broken)
    }
}
