import CastorCore

/// A tradable symbol and its order-size rules, as the engine learned them from
/// `/v1/symbols/details` (API.md §3.11).
public struct SymbolInfo: Sendable, Hashable {
    /// Lower-case symbol, e.g. `btcusd`.
    public var symbol: String
    /// Base currency, e.g. `BTC` (what `amount` is counted in).
    public var base: String
    /// Quote currency, e.g. `USD` (what `price` is counted in).
    public var quote: String
    /// Price step, Gemini's `quote_increment`.
    public var priceStep: ExactDecimal
    /// Quantity step, Gemini's `tick_size`.
    public var quantityStep: ExactDecimal
    /// Smallest accepted order amount, Gemini's `min_order_size`.
    public var minOrderSize: ExactDecimal

    public init(
        symbol: String, base: String, quote: String,
        priceStep: ExactDecimal, quantityStep: ExactDecimal, minOrderSize: ExactDecimal
    ) {
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.priceStep = priceStep
        self.quantityStep = quantityStep
        self.minOrderSize = minOrderSize
    }

    /// `price` on the price grid, rounded toward the passive side (a buy down, a sell up),
    /// so quantising never makes an order more aggressive than the strategy asked for.
    /// Nil when the result is not positive.
    public func passivePrice(_ price: ExactDecimal, side: Side) -> ExactDecimal? {
        guard let q = price.quantized(toStep: priceStep, rule: side == .buy ? .down : .up), q.isPositive else {
            return nil
        }
        return q
    }

    /// `amount` on the quantity grid, rounded down so an order never exceeds what the
    /// strategy asked for. Nil when `amount` is not positive.
    public func orderAmount(_ amount: ExactDecimal) -> ExactDecimal? {
        guard amount.isPositive else { return nil }
        return amount.quantized(toStep: quantityStep, rule: .towardZero)
    }

    /// The order as the exchange would accept it: price and amount quantised by the rules
    /// above, or the reason it cannot be placed. Engines and fake contexts share this so
    /// strategies see the same quantisation everywhere.
    public func prepareOrder(side: Side, price: ExactDecimal, amount: ExactDecimal) -> Result<(price: ExactDecimal, amount: ExactDecimal), PlaceRefusal> {
        guard let p = passivePrice(price, side: side) else {
            return .failure(.invalidPrice(symbol: symbol, price: price))
        }
        guard let a = orderAmount(amount), a.isPositive, a >= minOrderSize else {
            return .failure(.belowMinimumSize(symbol: symbol, amount: amount, minimum: minOrderSize))
        }
        return .success((p, a))
    }
}
