/// The strategies compiled into Castor.
public enum BuiltInStrategy: String, Sendable, Hashable, CaseIterable {
    /// Two-sided quotes around the mid price. The default.
    case marketMaker = "market-maker"
    /// A ladder of resting orders at fixed price steps.
    case grid
    /// Time-weighted execution of a target quantity.
    case twap
    /// Watches markets and logs; never places an order.
    case observe
}

/// Which strategy runs.
public enum StrategySelection: Sendable, Hashable {
    /// One of the built-ins.
    case builtIn(BuiltInStrategy)
    /// A strategy in a dynamic library (`CastorStrategy` plug-in), by absolute path and name.
    case plugin(path: String, name: String)

    /// The strategy's name for logs and summaries.
    public var name: String {
        switch self {
        case .builtIn(let strategy): strategy.rawValue
        case .plugin(_, let name): name
        }
    }
}

/// What happens to the old strategy's open orders when a reload switches strategy.
public enum StrategySwitchPolicy: String, Sendable, Hashable, CaseIterable {
    /// Cancel them before the new strategy starts. The default.
    case cancel
    /// Give them to the new strategy to manage.
    case handOver = "hand-over"
}

/// `[strategy]` and its free-form `[strategy.params]`.
public struct StrategyConfiguration: Sendable, Hashable {
    public var selection: StrategySelection = .builtIn(.marketMaker)
    public var onSwitch: StrategySwitchPolicy = .cancel
    /// Passed to the strategy, which reads them through typed accessors.
    public var parameters = StrategyParameterTable()

    public init() {}
}
