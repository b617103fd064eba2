import CastorConfig

/// What a successful `Engine.apply(configuration:completion:)` did.
public struct ReloadOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Every change found between the old and new configuration.
    public let changes: [ConfigurationChanges.Change]
    /// The changes that took effect now.
    public let applied: [ConfigurationChanges.Change]
    /// Market data was reconnected for a new symbol list (the REST session stayed).
    public let reconnected: Bool
    /// Changes that only a restart applies (the old value stays in force until then).
    public let needsRestart: [ConfigurationChanges.Change]

    public init(changes: [ConfigurationChanges.Change], applied: [ConfigurationChanges.Change],
                reconnected: Bool, needsRestart: [ConfigurationChanges.Change]) {
        self.changes = changes
        self.applied = applied
        self.reconnected = reconnected
        self.needsRestart = needsRestart
    }

    public var description: String {
        if changes.isEmpty { return "no changes" }
        var parts = ["applied: " + (applied.isEmpty ? "none" : applied.map(\.rawValue).joined(separator: ", "))]
        if reconnected { parts.append("reconnected") }
        if !needsRestart.isEmpty { parts.append("needs restart: " + needsRestart.map(\.rawValue).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
