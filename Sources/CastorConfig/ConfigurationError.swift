/// One problem found in a configuration file, located as precisely as the file allows.
///
/// `description` is the line an operator sees:
/// `castor.toml:14: risk.max_position: expected a decimal string like "0.5", found a float`.
public struct ConfigurationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name as given to `parse` / `load`.
    public let file: String
    /// 1-based line of the key (or of its table header), nil when the key has no line.
    public let line: Int?
    /// The dotted key path, e.g. `risk.symbols.BTCUSD.max_position`; empty for syntax errors.
    public let keyPath: String
    /// What is wrong.
    public let problem: ConfigurationProblem

    /// The file is not TOML (nothing else in it could be read).
    public var isSyntax: Bool {
        if case .syntax = problem { return true }
        return false
    }

    public init(file: String, line: Int?, keyPath: String, problem: ConfigurationProblem) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.problem = problem
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(problem)" : "\(location): \(keyPath): \(problem)"
    }
}

/// The kinds of configuration problems; each description says what to write instead.
public enum ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The TOML itself does not parse (message from toml++, with the column).
    case syntax(message: String, column: Int?)
    /// A key or table Castor does not know; `suggestion` is the closest known key.
    case unknownKey(suggestion: String?)
    /// A secret-looking key: secrets never come from the config file.
    case secretInFile
    /// The value has the wrong TOML type.
    case wrongType(expected: String, found: String)
    /// A money value written as a TOML float, which cannot hold decimals exactly.
    case floatForDecimal
    /// The value has the right type but is not acceptable; `reason` says why and what fits.
    case invalidValue(reason: String)

    public var description: String {
        switch self {
        case .syntax(let message, let column):
            "TOML syntax error\(column.map { " at column \($0)" } ?? ""): \(message)"
        case .unknownKey(let suggestion):
            "unknown key" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? " (remove it; see examples/castor.toml for the known keys)")
        case .secretInFile:
            "secrets are read from CASTOR_API_KEY/CASTOR_API_SECRET or systemd credentials (LoadCredential=castor-api-key/castor-api-secret), never from the config file: remove this key"
        case .wrongType(let expected, let found):
            "expected \(expected), found \(found)"
        case .floatForDecimal:
            #"expected a decimal string like "0.5", found a float (write money values in quotes so no digit is lost)"#
        case .invalidValue(let reason):
            reason
        }
    }
}

/// Why a configuration could not be loaded.
public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read (missing, permissions, not UTF-8).
    case unreadable(path: String, reason: String)
    /// The file was read but has problems; all of them are listed, in line order.
    case invalid(issues: [ConfigurationIssue])

    /// The individual problems (one `unreadable` counts as one issue-less error).
    public var issues: [ConfigurationIssue] {
        if case .invalid(let issues) = self { return issues }
        return []
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read configuration: \(reason)"
        case .invalid(let issues):
            issues.map(\.description).joined(separator: "\n")
        }
    }
}
