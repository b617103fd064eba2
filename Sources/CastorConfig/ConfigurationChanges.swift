/// What a reload changes and how the running daemon must apply it.
public struct ConfigurationChanges: Sendable, Hashable {
    /// A part of the configuration that differs between the old and new file.
    public enum Change: String, Sendable, Hashable, CaseIterable {
        case venue, credentials, account, symbols, stateDirectory, shutdown
        case strategy, strategyParameters, risk, logLevel, logFormat, rateLimits, feeds
    }

    /// How a change is applied.
    public enum Effect: Int, Sendable, Hashable, Comparable {
        /// In place, without touching connections.
        case live
        /// The feeds and REST session are torn down and re-established.
        case reconnect
        /// Only a process restart applies it (the reload keeps the old value and says so).
        case restart

        public static func < (lhs: Effect, rhs: Effect) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The changed parts, in `Change.allCases` order.
    public let changes: [Change]

    /// Compares two configurations; credentials are compared by key name only (Gemini
    /// issues a new key name with every new secret).
    public init(from old: CastorConfiguration, to new: CastorConfiguration,
                oldCredentialKey: String? = nil, newCredentialKey: String? = nil) {
        var changed: Set<Change> = []
        if old.venue != new.venue { changed.insert(.venue) }
        if oldCredentialKey != newCredentialKey { changed.insert(.credentials) }
        if old.account != new.account { changed.insert(.account) }
        if old.engine.symbols != new.engine.symbols { changed.insert(.symbols) }
        if old.engine.stateDirectory != new.engine.stateDirectory { changed.insert(.stateDirectory) }
        if old.engine.cancelOnShutdown != new.engine.cancelOnShutdown || old.engine.shutdownTimeout != new.engine.shutdownTimeout {
            changed.insert(.shutdown)
        }
        if old.strategy.selection != new.strategy.selection || old.strategy.onSwitch != new.strategy.onSwitch {
            changed.insert(.strategy)
        }
        if old.strategy.parameters != new.strategy.parameters { changed.insert(.strategyParameters) }
        if old.risk != new.risk { changed.insert(.risk) }
        if old.log.level != new.log.level { changed.insert(.logLevel) }
        if old.log.format != new.log.format { changed.insert(.logFormat) }
        if old.rateLimits != new.rateLimits { changed.insert(.rateLimits) }
        if old.feeds != new.feeds { changed.insert(.feeds) }
        changes = Change.allCases.filter(changed.contains)
    }

    /// How `change` is applied: venue, credentials, account and symbols need new
    /// connections; the state directory and log format only take effect after a restart
    /// (the journal is open, logging is bootstrapped once); everything else is live.
    public static func effect(of change: Change) -> Effect {
        switch change {
        case .venue, .credentials, .account, .symbols: .reconnect
        case .stateDirectory, .logFormat: .restart
        case .shutdown, .strategy, .strategyParameters, .risk, .logLevel, .rateLimits, .feeds: .live
        }
    }

    /// Nothing changed.
    public var isEmpty: Bool { changes.isEmpty }
    /// The reload must reconnect the feeds and REST session.
    public var requiresReconnect: Bool { changes.contains { Self.effect(of: $0) == .reconnect } }
    /// Some changes will only apply after a restart.
    public var requiresRestart: Bool { changes.contains { Self.effect(of: $0) == .restart } }
    /// The changes that apply live.
    public var liveChanges: [Change] { changes.filter { Self.effect(of: $0) == .live } }
}
