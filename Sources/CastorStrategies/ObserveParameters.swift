import CastorStrategy

/// The validated parameters of ``Observe``. Defaults: every symbol, `log_interval` `"10s"`.
struct ObserveParameters: Equatable {
    /// Only this symbol; nil means every symbol the engine feeds.
    var symbol: String?
    var logIntervalMs: Int64

    /// What `castor list-strategies` shows; also the keys accepted.
    static let specs: [StrategyParameterSpec] = [
        .init("symbol", .symbol, "only this pair; without it, every symbol the engine feeds"),
        .init("log_interval", .duration, default: "\"10s\"", "how often the market is logged"),
    ]
    static let keys = specs.names

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = p.contains("symbol") ? try p.symbol() : nil
        logIntervalMs = try p.positiveDurationMs("log_interval", default: 10_000)
    }
}
