import CastorCore
import CastorStrategy

/// The validated parameters of ``MarketMaker``. Every parameter has a default, so an empty
/// `[strategy.params]` quotes the first `[engine] symbols` entry:
///
/// | key | default |
/// |---|---|
/// | `symbol` | the first `[engine] symbols` entry |
/// | `spread_bps` | 2 (each quote 1 bp from the centre: about 6.5 USD at BTCUSD 65000) |
/// | `size` | `"0.001"` (within the default risk limits at BTC prices) |
/// | `requote_bps` | 5 |
/// | `skew_bps_per_unit` | 0 |
/// | `max_position` | none (the risk limits still apply) |
struct MarketMakerParameters: Equatable {
    static let defaultSpreadBps = 2
    static let defaultSize = ExactDecimal(mantissa: 1, scale: 3)
    static let defaultRequoteBps = 5

    var symbol: String
    /// Full bid-to-ask width around mid; each quote sits half of it from the centre.
    var spreadBps: Int
    var size: ExactDecimal
    /// Basis points the quote centre moves against the position per unit of base held.
    var skewBpsPerUnit: ExactDecimal
    /// Absolute position beyond which the side that would grow it is not quoted.
    var maxPosition: ExactDecimal?
    var requoteBps: Int

    /// What `castor list-strategies` shows; also the keys accepted.
    static let specs: [StrategyParameterSpec] = [
        .init("symbol", .symbol, defaultsToFirstSymbol: true, "the pair to quote"),
        .init("spread_bps", .integer, default: "\(defaultSpreadBps)", "full bid-to-ask width around mid in basis points (1-10000); each quote sits half of it from the centre"),
        .init("size", .decimal, default: "\"\(defaultSize)\"", "amount of each quote, in the base currency"),
        .init("requote_bps", .integer, default: "\(defaultRequoteBps)", "requote only when mid moved more than this from the mid quoted at (0-10000; 0 requotes on every move)"),
        .init("skew_bps_per_unit", .decimal, default: "0", "basis points the quote centre moves against the position per unit of base held"),
        .init("max_position", .decimal, "absolute position beyond which the side that would grow it is not quoted; without it, only the risk limits apply"),
    ]
    static let keys = specs.names

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = try p.symbol()
        spreadBps = try p.int("spread_bps", in: 1...10_000, default: Self.defaultSpreadBps)
        size = p.contains("size") ? try p.positiveDecimal("size") : Self.defaultSize
        skewBpsPerUnit = try p.decimal("skew_bps_per_unit", default: .zero)
        if skewBpsPerUnit.isNegative { throw p.invalid("skew_bps_per_unit", "must not be negative") }
        maxPosition = try p.optionalPositiveDecimal("max_position")
        requoteBps = try p.int("requote_bps", in: 0...10_000, default: Self.defaultRequoteBps)
    }
}
