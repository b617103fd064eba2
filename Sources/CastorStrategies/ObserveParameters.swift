import CastorStrategy

/// The validated parameters of ``Observe``. Defaults: every symbol, `log_interval` `"10s"`.
struct ObserveParameters: Equatable {
    /// Only this symbol; nil means every symbol the engine feeds.
    var symbol: String?
    var logIntervalMs: Int64

    static let keys: Set<String> = ["symbol", "log_interval"]

    init(_ p: StrategyParameters) throws(StrategyParameterError) {
        try p.requireOnly(Self.keys)
        symbol = p.contains("symbol") ? try p.symbol() : nil
        logIntervalMs = try p.positiveDurationMs("log_interval", default: 10_000)
    }
}
