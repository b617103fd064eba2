import CastorCore

/// Per-symbol risk limits, enforced before any order is sent.
public struct RiskLimits: Sendable, Hashable {
    /// Largest notional (price × quantity, quote currency) of one order.
    public var maxOrderNotional: ExactDecimal
    /// Largest absolute position in the base currency (e.g. BTC for BTCUSD).
    public var maxPosition: ExactDecimal
    /// Most open orders at once.
    public var maxOpenOrders: Int
    /// Orders priced further than this from the mid price (basis points) are refused.
    public var priceBandBps: Int
    /// New orders per rolling minute.
    public var maxOrdersPerMinute: Int
    /// When true, no new orders are placed (cancels still go out).
    public var killSwitch: Bool

    /// Small on purpose: a fresh install should not be able to lose much before someone
    /// has read and set the limits.
    public static let conservative = RiskLimits(
        maxOrderNotional: ExactDecimal(100), maxPosition: ExactDecimal(mantissa: 1, scale: 2),
        maxOpenOrders: 10, priceBandBps: 200, maxOrdersPerMinute: 30, killSwitch: false)

    public init(maxOrderNotional: ExactDecimal, maxPosition: ExactDecimal, maxOpenOrders: Int,
                priceBandBps: Int, maxOrdersPerMinute: Int, killSwitch: Bool) {
        self.maxOrderNotional = maxOrderNotional
        self.maxPosition = maxPosition
        self.maxOpenOrders = maxOpenOrders
        self.priceBandBps = priceBandBps
        self.maxOrdersPerMinute = maxOrdersPerMinute
        self.killSwitch = killSwitch
    }
}

/// `[risk]` (defaults for every symbol) and `[risk.symbols.<SYMBOL>]` (overrides).
public struct RiskConfiguration: Sendable, Hashable {
    /// Limits for symbols without an override.
    public var defaults: RiskLimits = .conservative
    /// Fully resolved limits (defaults merged with the override) per symbol that has one.
    public var overrides: [String: RiskLimits] = [:]

    public init() {}

    /// The limits that apply to `symbol`.
    public func limits(for symbol: String) -> RiskLimits {
        overrides[symbol.uppercased()] ?? defaults
    }

    /// `kill_switch = true` in `[risk]` or in any `[risk.symbols.<SYMBOL>]`: the engine's one
    /// kill switch is engaged (held by the configuration).
    public var engagesKillSwitch: Bool {
        defaults.killSwitch || overrides.values.contains(where: \.killSwitch)
    }
}
