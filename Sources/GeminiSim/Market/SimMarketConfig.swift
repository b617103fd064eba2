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

    public init(symbol: String, midPrice: ExactDecimal, levels: Int = 25, halfSpreadTicks: Int = 1,
                levelSpacingTicks: Int = 1, volatilityTicks: Int = 2, lotSize: ExactDecimal, maxLots: Int = 50,
                takerChancePercent: Int = 30, takerDepthLevels: Int = 3) {
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
    }

    /// One config per default symbol, around recent prices.
    public static let defaults: [SimMarketConfig] = [
        SimMarketConfig(symbol: "BTCUSD", midPrice: ExactDecimal("65000")!, volatilityTicks: 3, lotSize: ExactDecimal("0.001")!),
        SimMarketConfig(symbol: "ETHUSD", midPrice: ExactDecimal("3500")!, lotSize: ExactDecimal("0.01")!, maxLots: 100),
        SimMarketConfig(symbol: "ETHBTC", midPrice: ExactDecimal("0.05385")!, lotSize: ExactDecimal("0.01")!, maxLots: 100),
        SimMarketConfig(symbol: "SOLUSD", midPrice: ExactDecimal("150")!, lotSize: ExactDecimal("0.1")!, maxLots: 100),
    ]
}
