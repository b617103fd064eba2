import CastorCore

/// `/v1/symbols/details/{symbol}`: the trading rules of one pair (§3.11).
public struct SymbolDetails: Sendable, Hashable, Decodable {
    public let symbol: Symbol
    public let baseCurrency: String
    public let quoteCurrency: String
    /// The QUANTITY step (base currency), sent as a JSON number such as `1e-8`.
    public let tickSize: ExactDecimal
    /// The PRICE step (quote currency), sent as a JSON number such as `0.01`.
    public let quoteIncrement: ExactDecimal
    public let minOrderSize: ExactDecimal
    /// `open`, `closed`, `cancel_only`, `post_only`, `limit_only`; kept as text so a new
    /// status does not break market loading.
    public let status: String
    public let wrapEnabled: Bool?
    /// `spot` or `swap`.
    public let productType: String?
    /// `vanilla`, `linear` or `inverse`.
    public let contractType: String?
    public let contractPriceCurrency: String?

    /// True when new orders of any kind may be placed.
    public var isOpen: Bool { status == "open" }

    private enum CodingKeys: String, CodingKey {
        case symbol, baseCurrency = "base_currency", quoteCurrency = "quote_currency"
        case tickSize = "tick_size", quoteIncrement = "quote_increment", minOrderSize = "min_order_size"
        case status, wrapEnabled = "wrap_enabled", productType = "product_type"
        case contractType = "contract_type", contractPriceCurrency = "contract_price_currency"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(Symbol.self, forKey: .symbol)
        baseCurrency = try c.decode(String.self, forKey: .baseCurrency)
        quoteCurrency = try c.decode(String.self, forKey: .quoteCurrency)
        tickSize = try c.decode(ExactDecimal.self, forKey: .tickSize)
        quoteIncrement = try c.decode(ExactDecimal.self, forKey: .quoteIncrement)
        minOrderSize = try c.decode(ExactDecimal.self, forKey: .minOrderSize)
        status = try c.decode(String.self, forKey: .status)
        wrapEnabled = try c.decodeIfPresent(Bool.self, forKey: .wrapEnabled)
        productType = try c.decodeIfPresent(String.self, forKey: .productType)
        contractType = try c.decodeIfPresent(String.self, forKey: .contractType)
        contractPriceCurrency = try c.decodeIfPresent(String.self, forKey: .contractPriceCurrency)
    }
}
