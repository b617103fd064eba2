/// One parameter a strategy accepts, as `castor list-strategies` shows it.
///
/// A built-in's spec list is also the set of keys its parameters accept, so the listing
/// cannot drift from what validation allows.
public struct StrategyParameterSpec: Sendable, Hashable {
    /// The kind of value, as the configuration writes it.
    public enum Kind: String, Sendable, Hashable {
        case symbol, integer, decimal, duration, side, string, bool
    }

    /// The key under `[strategy.params]`.
    public var name: String
    public var kind: Kind
    /// The default in configuration syntax (`5`, `"0.001"`, `"10s"`); nil when there is no
    /// literal default (see ``isRequired`` and ``summary``).
    public var defaultValue: String?
    /// Required: no default, the strategy refuses to start without it.
    public var isRequired: Bool
    /// Without it, the first of `[engine] symbols` (``StrategyParameters/symbol(_:)``).
    public var defaultsToFirstSymbol: Bool
    /// What it does and, when it has no literal default, what happens without it.
    public var summary: String

    public init(_ name: String, _ kind: Kind, default defaultValue: String? = nil, required: Bool = false,
                defaultsToFirstSymbol: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isRequired = required
        self.defaultsToFirstSymbol = defaultsToFirstSymbol
        self.summary = summary
    }
}

extension Sequence where Element == StrategyParameterSpec {
    /// The parameter names, for ``StrategyParameters/requireOnly(_:)``.
    public var names: Set<String> { Set(map(\.name)) }
}
