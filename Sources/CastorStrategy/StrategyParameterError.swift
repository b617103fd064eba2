/// A strategy parameter that is missing, of the wrong kind or out of range. The
/// description names the parameter by its config path, e.g.
/// `strategy.params.spread_bps: must be a positive integer`.
public struct StrategyParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Hashable {
        case missing
        /// The value exists but is not usable; the text says what it must be.
        case invalid(String)
        /// The key is not a parameter of this strategy (usually a typo).
        case unknown
    }

    /// The full config path, e.g. `strategy.params.spread_bps`.
    public var parameter: String
    public var problem: Problem

    public init(parameter: String, problem: Problem) {
        self.parameter = parameter
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .missing: "\(parameter): is required"
        case .invalid(let must): "\(parameter): \(must)"
        case .unknown: "\(parameter): is not a parameter of this strategy"
        }
    }
}
