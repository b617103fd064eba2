import CastorCore

/// How the synthetic market trades one symbol. Prices are counted in the symbol's price
/// steps ("ticks" here means `quote_increment` steps) so the walk needs no decimals.
public struct SimMarketConfig: Sendable, Hashable {
    /// Symbol, e.g. `BTCUSD`.
    public var symbol: String
    /// Starting mid price; rounded down to the price step.
    public var midPrice: ExactDecimal
    /// Resting levels kept on each side.
    public var levels: Int
    /// Distance from mid to the best bid and to the best ask, in price steps (spread is twice this).
    public var halfSpreadTicks: Int
    /// Distance between consecutive levels, in price steps.
    public var levelSpacingTicks: Int
    /// Largest mid move per step, in price steps (uniform in ±this).
    public var volatilityTicks: Int
    /// Order sizes are `lotSize × 1...maxLots`.
    public var lotSize: ExactDecimal
    public var maxLots: Int
    /// Chance per step of a marketable immediate-or-cancel order from the taker.
    public var takerChancePercent: Int
    /// How many levels deep a taker order may reach.
    public var takerDepthLevels: Int
    /// Chance per step of a larger sweep: a taker order big enough to clear
    /// `sweepDepthLevels` levels of one side (0: never).
    public var sweepChancePercent: Int
    public var sweepDepthLevels: Int
    /// When set, the spread, level spacing and walk are fractions of the starting price
    /// (basis points) and replace the tick counts above once the symbol's price step is
    /// known, so every symbol moves realistically whatever its price and step.
    public var proportional: Proportional?

    /// Spread, spacing and walk step in basis points of the starting mid.
    public struct Proportional: Sendable, Hashable {
        public var halfSpreadBps: Double
        public var levelSpacingBps: Double
        /// Largest mid move per step (uniform in ±this).
        public var volatilityBps: Double

        public init(halfSpreadBps: Double, levelSpacingBps: Double, volatilityBps: Double) {
            self.halfSpreadBps = halfSpreadBps
            self.levelSpacingBps = levelSpacingBps
            self.volatilityBps = volatilityBps
        }

        /// About a dollar of half-spread, 65 cents between levels and up to about two
        /// dollars of mid move per 250 ms step at BTCUSD 65000 (a few dollars a second).
        public static let realistic = Proportional(halfSpreadBps: 0.15, levelSpacingBps: 0.1, volatilityBps: 0.3)
    }

    public init(symbol: String, midPrice: ExactDecimal, levels: Int = 25, halfSpreadTicks: Int = 1,
                levelSpacingTicks: Int = 1, volatilityTicks: Int = 2, lotSize: ExactDecimal, maxLots: Int = 50,
                takerChancePercent: Int = 30, takerDepthLevels: Int = 3, sweepChancePercent: Int = 0,
                sweepDepthLevels: Int = 0, proportional: Proportional? = nil) {
        self.symbol = symbol.uppercased()
        self.midPrice = midPrice
        self.levels = levels
        self.halfSpreadTicks = max(1, halfSpreadTicks)
        self.levelSpacingTicks = max(1, levelSpacingTicks)
        self.volatilityTicks = max(0, volatilityTicks)
        self.lotSize = lotSize
        self.maxLots = max(1, maxLots)
        self.takerChancePercent = takerChancePercent
        self.takerDepthLevels = max(0, takerDepthLevels)
        self.sweepChancePercent = max(0, sweepChancePercent)
        self.sweepDepthLevels = max(0, sweepDepthLevels)
        self.proportional = proportional
    }

    /// This config with `proportional` turned into tick counts for `priceStep` (at least
    /// one tick each, except the walk which may be zero).
    func resolved(priceStep: ExactDecimal) -> SimMarketConfig {
        guard let p = proportional, let step = Double(priceStep.description), step > 0,
              let mid = Double(midPrice.description) else { return self }
        func ticks(_ bps: Double) -> Int { Int((mid * bps / 10_000 / step).rounded()) }
        var c = self
        c.halfSpreadTicks = max(1, ticks(p.halfSpreadBps))
        c.levelSpacingTicks = max(1, ticks(p.levelSpacingBps))
        c.volatilityTicks = max(0, ticks(p.volatilityBps))
        c.proportional = nil
        return c
    }

    /// One config per default symbol, around recent prices, moving in proportion to price
    /// (``Proportional/realistic``) with a sweep 15 levels deep (of 25) now and then (2% of
    /// steps, about every 12 s), so quotes a few basis points from mid get filled.
    public static let defaults: [SimMarketConfig] = [
        SimMarketConfig(symbol: "BTCUSD", midPrice: ExactDecimal("65000")!, lotSize: ExactDecimal("0.001")!,
                        sweepChancePercent: 2, sweepDepthLevels: 15, proportional: .realistic),
        SimMarketConfig(symbol: "ETHUSD", midPrice: ExactDecimal("3500")!, lotSize: ExactDecimal("0.01")!, maxLots: 100,
                        sweepChancePercent: 2, sweepDepthLevels: 15, proportional: .realistic),
        SimMarketConfig(symbol: "ETHBTC", midPrice: ExactDecimal("0.05385")!, lotSize: ExactDecimal("0.01")!, maxLots: 100,
                        sweepChancePercent: 2, sweepDepthLevels: 15, proportional: .realistic),
        SimMarketConfig(symbol: "SOLUSD", midPrice: ExactDecimal("150")!, lotSize: ExactDecimal("0.1")!, maxLots: 100,
                        sweepChancePercent: 2, sweepDepthLevels: 15, proportional: .realistic),
    ]
}
