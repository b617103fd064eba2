import CastorCore

/// Trading status of a simulated symbol, spelled as `/v1/symbols/details` spells it.
public enum SimSymbolStatus: String, Sendable, CaseIterable {
    /// Normal trading.
    case open
    /// No new orders; resting orders can still be cancelled.
    case closed
    /// Only cancels are accepted.
    case cancelOnly = "cancel_only"
    /// Only `maker-or-cancel` orders are accepted.
    case postOnly = "post_only"
    /// Only limit orders are accepted (every order type the simulator supports is a limit).
    case limitOnly = "limit_only"
}

/// A tradable pair with Gemini's precision rules (API.md §3.11).
///
/// `tickSize` is the QUANTITY step (base currency) and `quoteIncrement` the PRICE step —
/// the names are Gemini's, and the mix-up is a classic client bug the simulator must catch.
public struct SimSymbol: Sendable, Hashable {
    /// Upper-case symbol as `/v1/symbols/details` shows it, e.g. `BTCUSD`.
    public var symbol: String
    /// Base currency, e.g. `BTC`.
    public var base: String
    /// Quote currency, e.g. `USD`.
    public var quote: String
    /// Quantity step (`tick_size`).
    public var tickSize: ExactDecimal
    /// Price step (`quote_increment`).
    public var quoteIncrement: ExactDecimal
    /// Smallest accepted order amount (`min_order_size`).
    public var minOrderSize: ExactDecimal
    /// Trading status.
    public var status: SimSymbolStatus
    /// `spot` for every default symbol.
    public var productType: String

    public init(symbol: String, base: String, quote: String, tickSize: ExactDecimal,
                quoteIncrement: ExactDecimal, minOrderSize: ExactDecimal,
                status: SimSymbolStatus = .open, productType: String = "spot") {
        self.symbol = symbol.uppercased()
        self.base = base.uppercased()
        self.quote = quote.uppercased()
        self.tickSize = tickSize
        self.quoteIncrement = quoteIncrement
        self.minOrderSize = minOrderSize
        self.status = status
        self.productType = productType
    }

    /// Lower-case form, as REST order objects and order events show it (`btcusd`).
    public var lowercased: String { symbol.lowercased() }

    /// BTCUSD, ETHUSD, ETHBTC and SOLUSD with Gemini's production precision.
    public static let defaults: [SimSymbol] = [
        SimSymbol(symbol: "BTCUSD", base: "BTC", quote: "USD", tickSize: ExactDecimal("1e-8")!,
                  quoteIncrement: ExactDecimal("0.01")!, minOrderSize: ExactDecimal("0.00001")!),
        SimSymbol(symbol: "ETHUSD", base: "ETH", quote: "USD", tickSize: ExactDecimal("1e-6")!,
                  quoteIncrement: ExactDecimal("0.01")!, minOrderSize: ExactDecimal("0.001")!),
        SimSymbol(symbol: "ETHBTC", base: "ETH", quote: "BTC", tickSize: ExactDecimal("1e-6")!,
                  quoteIncrement: ExactDecimal("0.00001")!, minOrderSize: ExactDecimal("0.001")!),
        SimSymbol(symbol: "SOLUSD", base: "SOL", quote: "USD", tickSize: ExactDecimal("1e-6")!,
                  quoteIncrement: ExactDecimal("0.001")!, minOrderSize: ExactDecimal("0.01")!),
    ]
}
