import CastorCore

/// One strategy parameter value as the configuration supplied it.
public enum ParameterValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    /// An exact decimal; configs should write money as strings (`"0.001"`) so TOML floats
    /// never touch it, and the config layer may pass those through as `.string`.
    case decimal(ExactDecimal)
    /// A duration in milliseconds.
    case durationMs(Int64)

    /// The kind's name as error messages use it.
    public var kindName: String {
        switch self {
        case .string: "string"
        case .int: "integer"
        case .bool: "boolean"
        case .decimal: "decimal"
        case .durationMs: "duration"
        }
    }
}
