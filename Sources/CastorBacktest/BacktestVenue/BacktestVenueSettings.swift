import CastorCore
import CastorTrading

/// How the backtest venue behaves: latency, fees, the symbols' rules and the balances it
/// reports.
public struct BacktestVenueSettings: Sendable, Hashable {
    /// Virtual time from a call to its effect and answer: an order is live (and its
    /// placement answered) this long after it was sent; a cancel, a lookup likewise.
    public var latencyMs: Int64 = 50
    /// Fees in basis points of the fill's notional, charged in the quote currency.
    /// Defaults: 20 bps maker, 40 bps taker (an assumption, see the README: Gemini's fee
    /// schedule is not in API.md, whose only figures are one account's `/v1/notionalvolume`).
    public var makerFeeBps: ExactDecimal = 20
    public var takerFeeBps: ExactDecimal = 40
    /// Every symbol's steps (Gemini's BTCUSD rules by default).
    public var priceStep = ExactDecimal(mantissa: 1, scale: 2)
    public var quantityStep = ExactDecimal(mantissa: 1, scale: 8)
    public var minOrderSize = ExactDecimal(mantissa: 1, scale: 5)
    /// What `balances` reports for each symbol's quote and base currency.
    public var quoteBalance: ExactDecimal = 1_000_000
    public var baseBalance: ExactDecimal = 1_000

    public init() {}

    /// The fee on `notional` at `bps` basis points, exact (nil on overflow).
    static func fee(_ notional: ExactDecimal, bps: ExactDecimal) -> ExactDecimal? {
        notional.multipliedReportingOverflow(by: bps)?.multipliedReportingOverflow(by: ExactDecimal(mantissa: 1, scale: 4))
            .map(\.normalized)
    }

    /// Quote currencies Gemini lists, longest first, to split a symbol's name.
    static let quotes = ["GUSDPERP", "USDT", "GUSD", "USDC", "RLUSD", "USD", "EUR", "GBP", "SGD", "AUD", "CAD", "BTC", "ETH", "DAI"]

    /// `symbol`'s base and quote currency (upper case), e.g. BTC and USD for BTCUSD.
    static func currencies(of symbol: Symbol) -> (base: String, quote: String) {
        let name = symbol.rawValue.uppercased()
        for q in quotes where name.hasSuffix(q) && name.count > q.count {
            return (String(name.dropLast(q.count)), q == "GUSDPERP" ? "GUSD" : q)
        }
        return (name, "USD")
    }

    func rules(_ symbol: Symbol) -> VenueSymbolRules {
        let (base, quote) = Self.currencies(of: symbol)
        return VenueSymbolRules(symbol: symbol, base: base, quote: quote, priceStep: priceStep, quantityStep: quantityStep,
                                minOrderSize: minOrderSize, isOpen: true, status: "open")
    }
}
