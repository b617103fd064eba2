import CastorCore
import CastorStrategy

/// The validated parameters of ``MarketMaker``.
struct MarketMakerParameters: Equatable {
    var symbol: String
    /// Full bid-to-ask width around mid; each quote sits half of it from the centre.
    var spreadBps: Int
    var size: ExactDecimal
    /// Basis points the quote centre moves against the position per unit of base held.
    var skewBpsPerUnit: ExactDecimal
    /// Absolute position beyond which the side that would grow it is not quoted.
    var maxPosition: ExactDecimal?
    var requoteBps: Int

    static let keys: Set<String> = ["symbol", "spread_bps", "size", "skew_bps_per_unit", "max_position", "requote_bps"]

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = try p.string("symbol")
        spreadBps = try p.positiveInt("spread_bps")
        size = try p.positiveDecimal("size")
        skewBpsPerUnit = try p.decimal("skew_bps_per_unit", default: .zero)
        if skewBpsPerUnit.isNegative { throw p.invalid("skew_bps_per_unit", "must not be negative") }
        maxPosition = try p.optionalPositiveDecimal("max_position")
        requoteBps = try p.nonNegativeInt("requote_bps", default: 5)
    }
}
