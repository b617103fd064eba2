/// Creates strategies of one kind by name. Built-ins and plug-ins both provide these.
public protocol StrategyFactory {
    /// The name the config uses, e.g. `market-maker`.
    var name: String { get }
    /// One line describing the strategy, for `castor strategies`-style listings.
    var summary: String { get }
    /// The parameters it accepts with their defaults, for `castor list-strategies`; empty
    /// when the factory does not say (the strategy still validates its own).
    var parameters: [StrategyParameterSpec] { get }
    /// A new strategy instance; throws ``StrategyParameterError`` (or another error
    /// naming the parameter) when the parameters are unusable.
    func make(parameters: StrategyParameters) throws -> any Strategy
}

extension StrategyFactory {
    public var parameters: [StrategyParameterSpec] { [] }
}

/// A ``StrategyFactory`` from a closure, so a plug-in or test need not declare a type.
public struct ClosureStrategyFactory: StrategyFactory {
    public let name: String
    public let summary: String
    public let parameters: [StrategyParameterSpec]
    private let body: (StrategyParameters) throws -> any Strategy

    public init(name: String, summary: String = "", parameters: [StrategyParameterSpec] = [],
                make: @escaping (StrategyParameters) throws -> any Strategy) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.body = make
    }

    public func make(parameters: StrategyParameters) throws -> any Strategy { try body(parameters) }
}
