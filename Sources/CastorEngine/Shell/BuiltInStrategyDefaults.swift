import CastorConfig

/// Parameters for a built-in strategy whose `[strategy.params]` table is empty.
///
/// The built-ins require `symbol`, a size and a spread or step, but a fresh install has no
/// configuration file at all and `castor run` must still trade (on the embedded simulator).
/// So when, and only when, the operator gave no parameters, the shell supplies small ones
/// for the first `[engine] symbols` entry, sized to pass the default risk limits
/// (0.01 position, 100 quote-currency notional per order at BTC prices). Any parameter given
/// disables this entirely: a half-filled table gets the strategy's own error, never a guess.
public enum BuiltInStrategyDefaults {
    /// `configuration` with default parameters filled in where the rule above applies.
    public static func applied(to configuration: CastorConfiguration) -> CastorConfiguration {
        guard configuration.strategy.parameters.isEmpty, case .builtIn(let strategy) = configuration.strategy.selection,
              let symbol = configuration.engine.symbols.first else { return configuration }
        var values: [String: StrategyParameterValue] = ["symbol": .string(symbol)]
        switch strategy {
        case .marketMaker:
            // The tightest integer spread, requoting on a 1 bp move: quotes stay near the book.
            values["spread_bps"] = .integer(1)
            values["requote_bps"] = .integer(1)
            values["size"] = .string("0.001")
        case .grid:
            values["levels"] = .integer(3)
            values["step_bps"] = .integer(1)
            values["size"] = .string("0.001")
        case .twap:
            values["side"] = .string("buy")
            values["target_amount"] = .string("0.005")
            values["duration"] = .string("10m")
            values["slices"] = .integer(5)
        case .observe:
            break
        }
        var result = configuration
        result.strategy.parameters = StrategyParameters(values)
        return result
    }
}
