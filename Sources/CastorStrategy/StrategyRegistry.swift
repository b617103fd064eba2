/// Strategy factories by name: the built-ins plus whatever plug-ins were loaded.
public struct StrategyRegistry {
    private var byName: [String: any StrategyFactory] = [:]

    public init(_ factories: [any StrategyFactory] = []) {
        for f in factories { byName[f.name] = f }
    }

    /// Adds `factory`, replacing any factory of the same name (a plug-in may override a
    /// built-in deliberately).
    public mutating func register(_ factory: any StrategyFactory) { byName[factory.name] = factory }

    /// All registered names, sorted.
    public var names: [String] { byName.keys.sorted() }

    public func factory(named name: String) -> (any StrategyFactory)? { byName[name] }

    /// A new strategy `name` built with `parameters`.
    public func make(name: String, parameters: StrategyParameters) throws -> any Strategy {
        guard let f = byName[name] else { throw StrategyRegistryError.unknownStrategy(name: name, available: names) }
        return try f.make(parameters: parameters)
    }
}

/// A strategy name the registry does not know.
public enum StrategyRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownStrategy(name: String, available: [String])

    public var description: String {
        switch self {
        case let .unknownStrategy(name, available):
            "strategy.name: unknown strategy \"\(name)\" (known: \(available.joined(separator: ", ")))"
        }
    }
}
