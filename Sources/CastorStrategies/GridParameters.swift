import CastorCore
import CastorStrategy

/// The validated parameters of ``Grid``. Defaults: `symbol` the first `[engine] symbols`
/// entry, `levels` 3, `step_bps` 5 (when neither `step` nor `step_bps` is given), `size`
/// `"0.001"`, `reference` mid at start; so an empty `[strategy.params]` works.
struct GridParameters: Equatable {
    static let defaultLevels = 3
    static let defaultStepBps = 5
    static let defaultSize = ExactDecimal(mantissa: 1, scale: 3)

    /// How far apart the levels are.
    enum Step: Equatable {
        /// A fraction of the reference price, fixed when the grid is laid out.
        case bps(Int)
        /// An absolute price distance.
        case price(ExactDecimal)
    }

    var symbol: String
    /// Levels per side.
    var levels: Int
    var step: Step
    var size: ExactDecimal
    /// The centre; nil means mid at start.
    var reference: ExactDecimal?

    /// What `castor list-strategies` shows; also the keys accepted.
    static let specs: [StrategyParameterSpec] = [
        .init("symbol", .symbol, defaultsToFirstSymbol: true, "the pair to trade"),
        .init("levels", .integer, default: "\(defaultLevels)", "levels per side (1-1000)"),
        .init("step_bps", .integer, default: "\(defaultStepBps)", "distance between levels in basis points of the reference (1-10000); not with step"),
        .init("step", .decimal, "distance between levels as a price; not with step_bps"),
        .init("size", .decimal, default: "\"\(defaultSize)\"", "amount of each order, in the base currency"),
        .init("reference", .decimal, "the grid's centre price; without it, mid at start"),
    ]
    static let keys = specs.names

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = try p.symbol()
        levels = try p.int("levels", in: 1...1_000, default: Self.defaultLevels)
        switch (p.contains("step_bps"), p.contains("step")) {
        case (true, false): step = .bps(try p.int("step_bps", in: 1...10_000, default: Self.defaultStepBps))
        case (false, true): step = .price(try p.positiveDecimal("step"))
        case (true, true): throw p.invalid("step", "give either step or step_bps, not both")
        case (false, false): step = .bps(Self.defaultStepBps)
        }
        size = p.contains("size") ? try p.positiveDecimal("size") : Self.defaultSize
        reference = try p.optionalPositiveDecimal("reference")
    }

    /// The price distance between levels around `reference`; nil when it cannot be
    /// computed (a reference too large or too finely scaled).
    func stepPrice(reference: ExactDecimal) -> ExactDecimal? {
        switch step {
        case .bps(let b): DecimalMath.product(reference, DecimalMath.bps(b))
        case .price(let p): p
        }
    }
}
