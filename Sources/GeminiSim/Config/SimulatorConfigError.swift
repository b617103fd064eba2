/// Why a simulator configuration was refused; each case says what to fix.
public enum SimulatorConfigError: Error, Equatable, CustomStringConvertible {
    /// The config file could not be read.
    case unreadable(path: String, reason: String)
    /// The JSON is malformed or a field has the wrong type.
    case invalid(source: String, reason: String)
    /// `listen` is not `host:port`.
    case badListenAddress(String)
    /// Two keys share a name; key names identify sessions and must be unique.
    case duplicateKey(String)
    /// A key has an empty secret.
    case emptySecret(key: String)
    /// Auditor is read-only and cannot be combined with other roles (as on Gemini).
    case auditorCombined(key: String)
    /// The fault settings are out of range.
    case invalidFaults([String])
    /// A fixed `adminToken` is too short or has characters a header cannot carry.
    case weakAdminToken

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read simulator config \(path): \(reason); check the path and permissions"
        case .invalid(let source, let reason):
            "invalid simulator config (\(source)): \(reason); see SimulatorConfig's doc comment for the format"
        case .badListenAddress(let text):
            "listen address '\(text)' is not host:port; use e.g. 127.0.0.1:8765 (port 0 picks a free port)"
        case .duplicateKey(let key):
            "API key \(key) appears twice; give every key a unique name"
        case .emptySecret(let key):
            "API key \(key) has an empty secret; set a non-empty secret"
        case .auditorCombined(let key):
            "API key \(key) combines Auditor with other roles; Auditor must be the only role"
        case .invalidFaults(let problems):
            "invalid faults: \(problems.joined(separator: "; "))"
        case .weakAdminToken:
            "adminToken must be at least \(SimAdminToken.minimumLength) printable ASCII characters without spaces; leave it out for a random one"
        }
    }
}
