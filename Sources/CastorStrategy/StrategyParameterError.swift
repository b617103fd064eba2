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
    /// What else to tell, appended to the description as written (with its own leading
    /// space or semicolon): for an unknown key the parameter it probably means, the other
    /// unknown keys and the known ones, so one check says it all.
    public var hint: String?

    public init(parameter: String, problem: Problem, hint: String? = nil) {
        self.parameter = parameter
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        let text = switch problem {
        case .missing: "\(parameter): is required"
        case .invalid(let must): "\(parameter): \(must)"
        case .unknown: "\(parameter): is not a parameter of this strategy"
        }
        return text + (hint ?? "")
    }
}
