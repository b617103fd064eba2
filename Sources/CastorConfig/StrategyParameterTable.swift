import CastorCore

/// One value in `[strategy.params]`. Floats are refused when the file is parsed, so every
/// number a strategy sees is exact.
public enum StrategyParameterValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case array([StrategyParameterValue])
    case table([String: StrategyParameterValue])

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// The free-form `[strategy.params]` table with typed accessors.
///
/// Castor cannot know a strategy's parameters in advance, so types are checked when the
/// strategy reads them; the errors still name the file, line and key because each value
/// remembers where it was written. Equality ignores those locations: moving a line is not a
/// parameter change.
public struct StrategyParameterTable: Sendable, Hashable {
    /// The values by key.
    public private(set) var values: [String: StrategyParameterValue]
    private var locations: [String: String]

    /// Parameters from code (tests, embedded defaults); errors then carry no line.
    public init(_ values: [String: StrategyParameterValue] = [:]) {
        self.values = values
        locations = [:]
    }

    init(values: [String: StrategyParameterValue], locations: [String: String]) {
        self.values = values
        self.locations = locations
    }

    public var isEmpty: Bool { values.isEmpty }
    public var keys: [String] { values.keys.sorted() }
    public subscript(key: String) -> StrategyParameterValue? { values[key] }

    public static func == (lhs: StrategyParameterTable, rhs: StrategyParameterTable) -> Bool { lhs.values == rhs.values }
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }

    /// The string at `key`, nil if absent.
    public func string(_ key: String) throws(StrategyParameterError) -> String? {
        guard let value = values[key] else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string", value) }
        return text
    }

    /// The integer at `key`, nil if absent.
    public func int(_ key: String) throws(StrategyParameterError) -> Int? {
        guard let value = values[key] else { return nil }
        guard case .integer(let int) = value else { throw mismatch(key, "an integer", value) }
        return int
    }

    /// The boolean at `key`, nil if absent.
    public func bool(_ key: String) throws(StrategyParameterError) -> Bool? {
        guard let value = values[key] else { return nil }
        guard case .bool(let bool) = value else { throw mismatch(key, "true or false", value) }
        return bool
    }

    /// The exact decimal at `key` (written `"0.5"` or as an integer), nil if absent.
    public func decimal(_ key: String) throws(StrategyParameterError) -> ExactDecimal? {
        guard let value = values[key] else { return nil }
        let decimal: ExactDecimal
        switch value {
        case .integer(let int): decimal = ExactDecimal(int)
        case .string(let text):
            guard let parsed = ExactDecimal(text) else {
                throw .invalid(location: location(key), reason: #""\#(text)" is not a decimal number: write it like "0.5""#)
            }
            decimal = parsed
        default: throw mismatch(key, #"a decimal string like "0.5""#, value)
        }
        guard let bounded = ConfigSection.bounded(decimal) else {
            throw .invalid(location: location(key), reason: "\(decimal) is out of range: at most \(ConfigSection.decimalIntegerDigits) digits before the point and \(ConfigSection.decimalFractionDigits) after it")
        }
        return bounded
    }

    /// The duration at `key` (`"500ms"`, `"15s"`, `"2m"`, or whole seconds), nil if absent.
    public func duration(_ key: String) throws(StrategyParameterError) -> Duration? {
        guard let value = values[key] else { return nil }
        let parsed: DurationText.Parsed = switch value {
        case .integer(let seconds): DurationText.parseChecked(.integer(seconds))
        case .string(let text): DurationText.parseChecked(text)
        default: .malformed
        }
        switch parsed {
        case .value(let duration): return duration
        case .malformed: throw mismatch(key, #"a duration like "15s" or "500ms""#, value)
        case .tooLong:
            throw .invalid(location: location(key), reason: "too long: at most \(DurationText.maximumSeconds) seconds (about 31 years)")
        }
    }

    /// Same accessors with a default for an absent key (a present but wrong value still throws).
    public func string(_ key: String, default fallback: String) throws(StrategyParameterError) -> String { try string(key) ?? fallback }
    public func int(_ key: String, default fallback: Int) throws(StrategyParameterError) -> Int { try int(key) ?? fallback }
    public func bool(_ key: String, default fallback: Bool) throws(StrategyParameterError) -> Bool { try bool(key) ?? fallback }
    public func decimal(_ key: String, default fallback: ExactDecimal) throws(StrategyParameterError) -> ExactDecimal { try decimal(key) ?? fallback }
    public func duration(_ key: String, default fallback: Duration) throws(StrategyParameterError) -> Duration { try duration(key) ?? fallback }

    private func location(_ key: String) -> String {
        locations[key].map { "\($0): strategy.params.\(key)" } ?? "strategy.params.\(key)"
    }

    private func mismatch(_ key: String, _ expected: String, _ value: StrategyParameterValue) -> StrategyParameterError {
        .wrongType(location: location(key), expected: expected, found: value.typeName)
    }
}

/// A strategy parameter of the wrong type or form.
public enum StrategyParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `location` is `file:line: strategy.params.key` (or just the key path).
    case wrongType(location: String, expected: String, found: String)
    case invalid(location: String, reason: String)

    public var description: String {
        switch self {
        case .wrongType(let location, let expected, let found): "\(location): expected \(expected), found \(found)"
        case .invalid(let location, let reason): "\(location): \(reason)"
        }
    }
}
