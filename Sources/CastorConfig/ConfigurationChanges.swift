/// What a reload changes and how the running daemon must apply it.
public struct ConfigurationChanges: Sendable, Hashable {
    /// A part of the configuration that differs between the old and new file.
    public enum Change: String, Sendable, Hashable, CaseIterable {
        case venue, credentials, account, symbols, stateDirectory, shutdown
        case strategy, strategyParameters, risk, logLevel, logFormat, rateLimits, feeds, metrics, alerts
    }

    /// How a change is applied.
    public enum Effect: Int, Sendable, Hashable, Comparable {
        /// In place, without touching connections.
        case live
        /// Inside the running engine, reconnecting market data: the added symbols' details
        /// are fetched first (a failure refuses the reload), then orders on removed symbols
        /// are cancelled, the strategy is rebuilt for the new list and the market-data feed
        /// resubscribes. The REST session and the order-events feed stay.
        case reconnect
        /// A new engine: the REST session, nonce source and feeds belong to one venue, key and
        /// account, so `castor run` stops the running engine as SIGTERM would (cancelling
        /// its orders unless only the key rotated) and starts one with the new configuration,
        /// falling back to the previous configuration if the new engine does not start.
        case replaceEngine
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
        if old.venue != new.venue || old.venueAPI != new.venueAPI { changed.insert(.venue) }
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
        // A format neither file writes is chosen at start (text on a terminal, else JSON): no change.
        if old.log.format != new.log.format, old.log.formatIsExplicit || new.log.formatIsExplicit { changed.insert(.logFormat) }
        if old.rateLimits != new.rateLimits { changed.insert(.rateLimits) }
        if old.feeds != new.feeds { changed.insert(.feeds) }
        if old.metrics != new.metrics { changed.insert(.metrics) }
        if old.alerts != new.alerts { changed.insert(.alerts) }
        changes = Change.allCases.filter(changed.contains)
    }

    /// How `change` is applied: venue, credentials and account need a new engine; symbols
    /// reconnect market data in the running engine; the state directory and log format only
    /// take effect after a restart (the journal stays where it is, logging is bootstrapped
    /// once, the metrics endpoint is bound once); everything else is live.
    public static func effect(of change: Change) -> Effect {
        switch change {
        case .venue, .credentials, .account: .replaceEngine
        case .symbols: .reconnect
        case .stateDirectory, .logFormat, .metrics, .alerts: .restart
        case .shutdown, .strategy, .strategyParameters, .risk, .logLevel, .rateLimits, .feeds: .live
        }
    }

    /// Nothing changed.
    public var isEmpty: Bool { changes.isEmpty }
    /// The reload reconnects something: market data (symbols) or everything (a new engine).
    public var requiresReconnect: Bool { changes.contains { [.reconnect, .replaceEngine].contains(Self.effect(of: $0)) } }
    /// The reload needs a new engine (venue, credentials or account changed).
    public var requiresNewEngine: Bool { changes.contains { Self.effect(of: $0) == .replaceEngine } }
    /// Some changes will only apply after a restart.
    public var requiresRestart: Bool { changes.contains { Self.effect(of: $0) == .restart } }
    /// The changes that apply live.
    public var liveChanges: [Change] { changes.filter { Self.effect(of: $0) == .live } }
}
