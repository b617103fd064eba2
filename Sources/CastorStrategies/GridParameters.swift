import CastorCore
import CastorStrategy

/// The validated parameters of ``Grid``.
struct GridParameters: Equatable {
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

    static let keys: Set<String> = ["symbol", "levels", "step_bps", "step", "size", "reference"]

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = try p.string("symbol")
        levels = try p.positiveInt("levels")
        switch (p.contains("step_bps"), p.contains("step")) {
        case (true, false): step = .bps(try p.positiveInt("step_bps"))
        case (false, true): step = .price(try p.positiveDecimal("step"))
        case (true, true): throw p.invalid("step", "give either step or step_bps, not both")
        case (false, false): throw p.invalid("step_bps", "is required (or give step as a price)")
        }
        size = try p.positiveDecimal("size")
        reference = try p.optionalPositiveDecimal("reference")
    }

    /// The price distance between levels around `reference`.
    func stepPrice(reference: ExactDecimal) -> ExactDecimal {
        switch step {
        case .bps(let b): reference * DecimalMath.bps(b)
        case .price(let p): p
        }
    }
}
