import CastorCore
import CastorStrategy

/// The validated parameters of ``TWAP``. `side` and `target_amount` are required (there is
/// no sensible default for what to buy or sell); `symbol` defaults to the first
/// `[engine] symbols` entry, `duration` to `"10m"`, `slices` to 10, and
/// `max_slippage_bps` to none (slices rest at our side's touch).
struct TWAPParameters: Equatable {
    static let defaultDurationMs: Int64 = 600_000
    static let defaultSlices = 10

    var symbol: String
    var side: Side
    var targetAmount: ExactDecimal
    var durationMs: Int64
    var slices: Int
    /// When set, slices are priced to cross up to this far beyond mid; when nil they rest
    /// at our side's touch.
    var maxSlippageBps: Int?

    /// What `castor list-strategies` shows; also the keys accepted.
    static let specs: [StrategyParameterSpec] = [
        .init("symbol", .symbol, defaultsToFirstSymbol: true, "the pair to trade"),
        .init("side", .side, required: true, "\"buy\" or \"sell\""),
        .init("target_amount", .decimal, required: true, "total amount to execute, in the base currency"),
        .init("duration", .duration, default: "\"10m\"", "time over which the slices are spread"),
        .init("slices", .integer, default: "\(defaultSlices)", "number of equal slices (1-100000)"),
        .init("max_slippage_bps", .integer, "price slices to cross up to this far beyond mid (0-10000); without it, slices rest at our side's touch"),
    ]
    static let keys = specs.names

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = try p.symbol()
        guard let s = Side(rawValue: try p.string("side")) else { throw p.invalid("side", "must be \"buy\" or \"sell\"") }
        side = s
        targetAmount = try p.positiveDecimal("target_amount")
        durationMs = try p.positiveDurationMs("duration", default: Self.defaultDurationMs)
        slices = try p.int("slices", in: 1...100_000, default: Self.defaultSlices)
        guard durationMs / Int64(slices) > 0 else { throw p.invalid("slices", "must be at most the duration in milliseconds") }
        maxSlippageBps = p.contains("max_slippage_bps") ? try p.int("max_slippage_bps", in: 0...10_000, default: 0) : nil
    }

    var intervalMs: Int64 { durationMs / Int64(slices) }
}
