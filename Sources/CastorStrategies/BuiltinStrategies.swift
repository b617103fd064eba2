import CastorStrategy

/// The strategies compiled into Castor, selected by `[strategy] name` in the config.
public enum BuiltinStrategies {
    /// Their factories, in documentation order.
    public static var factories: [any StrategyFactory] {
        [
            ClosureStrategyFactory(name: "market-maker", summary: "one maker bid and ask around mid with inventory skew",
                                  parameters: MarketMakerParameters.specs) {
                try MarketMaker(parameters: $0)
            },
            ClosureStrategyFactory(name: "grid", summary: "a ladder of maker orders that refills one step away on fills",
                                  parameters: GridParameters.specs) {
                try Grid(parameters: $0)
            },
            ClosureStrategyFactory(name: "twap", summary: "executes a target amount in equal slices over a duration",
                                  parameters: TWAPParameters.specs) {
                try TWAP(parameters: $0)
            },
            ClosureStrategyFactory(name: "observe", summary: "places nothing, logs the market",
                                  parameters: ObserveParameters.specs) {
                try Observe(parameters: $0)
            },
        ]
    }

    /// The built-in names.
    public static var names: [String] { factories.map(\.name) }

    /// A registry holding the built-ins, to which the engine adds loaded plug-ins.
    public static var registry: StrategyRegistry { StrategyRegistry(factories) }
}
