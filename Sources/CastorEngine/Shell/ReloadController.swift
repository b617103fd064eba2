import CastorConfig
import CastorSystemd
import Dispatch
import Logging

/// Handles SIGHUP: re-reads and validates the configuration, then applies it live.
///
/// The sequence follows systemd 252's `Type=notify` reload protocol (there is no
/// `Type=notify-reload` yet): validation happens *before* `RELOADING=1`, so a broken file
/// never moves the unit into the reloading state; a valid file is bracketed by
/// `RELOADING=1` + `MONOTONIC_USEC` and `READY=1`, whatever the engine then decides, because
/// the daemon keeps running either way.
///
/// Changes that only a restart can apply (state directory, log format) are kept at their old
/// values and logged; everything else is offered to the engine, which either applies it
/// (a symbols change after checking the new symbols with the venue: `reload.reconnecting`
/// before, `reload.applied` after) or refuses (venue, credentials, account: they need a new
/// engine), leaving everything unchanged.
///
/// Thread safety: confined to the engine queue (`dispatchPrecondition` at entry); the type
/// is `@unchecked Sendable` so a signal source can hand work to that queue.
public final class ReloadController: @unchecked Sendable {
    /// The outcome of one reload, for the log and for tests.
    public enum Outcome: Sendable, Equatable {
        /// The file was invalid or unreadable; nothing changed.
        case rejected(issues: [String])
        /// The file is valid but identical in effect; nothing changed.
        case unchanged
        /// Applied; `summary` is the engine's description, `deferred` lists restart-only changes kept old.
        case applied(summary: String, deferred: [ConfigurationChanges.Change])
        /// Valid, but the engine refused it (e.g. a reconnect it cannot do live); nothing changed.
        case refused(reason: String)
    }

    /// Reads the configuration afresh (the file at `--config`, or the built-in default).
    public typealias Loader = @Sendable () -> Result<CastorConfiguration, ConfigurationError>

    private let queue: DispatchQueue
    private let engine: any ManagedEngine
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let load: Loader
    private let setLogLevel: @Sendable (Logger.Level) -> Void
    private let credentialKey: @Sendable () -> String?
    private let runningCredentialKey: String?
    /// The configuration the daemon runs with now.
    public private(set) var current: CastorConfiguration

    /// - Parameters:
    ///   - initial: the configuration the engine was started with.
    ///   - credentialKey: re-reads the API key name (nil if none); compared with
    ///     `runningCredentialKey` to notice rotated credentials.
    public init(initial: CastorConfiguration, queue: DispatchQueue, engine: any ManagedEngine,
                notifier: SystemdNotifier, logger: Logger, load: @escaping Loader,
                runningCredentialKey: String?, credentialKey: @escaping @Sendable () -> String?,
                setLogLevel: @escaping @Sendable (Logger.Level) -> Void) {
        current = initial
        self.queue = queue
        self.engine = engine
        self.notifier = notifier
        self.logger = logger
        self.load = load
        self.runningCredentialKey = runningCredentialKey
        self.credentialKey = credentialKey
        self.setLogLevel = setLogLevel
    }

    /// Runs one reload. Call on the engine queue; `completion` runs there once with the
    /// outcome, possibly before this returns.
    public func reload(completion: (@Sendable (Outcome) -> Void)? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        logger.info("reload requested", metadata: ["event": "reload.requested"])
        let candidate: CastorConfiguration
        switch load() {
        case .failure(let error):
            completion?(reject(error))
            return
        case .success(let loaded):
            candidate = loaded
        }
        let changes = ConfigurationChanges(from: current, to: candidate,
                                           oldCredentialKey: runningCredentialKey, newCredentialKey: credentialKey())
        if changes.isEmpty {
            logger.info("reload: configuration unchanged", metadata: ["event": "reload.unchanged"])
            completion?(.unchanged)
            return
        }
        var effective = candidate
        // Restart-only settings keep their running values so `current` says what is true.
        effective.engine.stateDirectory = current.engine.stateDirectory
        effective.log.format = current.log.format
        let deferred = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .restart }
        for change in deferred {
            logger.warning("reload: \(change.rawValue) only changes on restart; keeping the running value (systemctl restart castor to apply it)",
                           metadata: ["event": "reload.deferred", "setting": "\(change.rawValue)"])
        }
        if changes.changes.contains(.credentials) {
            // Credentials are loaded once at start-up; a rotated key needs a restart.
            logger.warning("reload: the API key changed; the running session keeps the old key until restart (systemctl restart castor)",
                           metadata: ["event": "reload.deferred", "setting": "credentials"])
        }
        notify { try notifier.reloading() }
        if changes.changes.contains(.symbols) {
            logger.notice("reload: symbols changed to \(effective.engine.symbols.joined(separator: ", ")): checking them with the venue, then reconnecting market data",
                          metadata: ["event": "reload.reconnecting",
                                     "changes": .array(changes.changes.map { .string($0.rawValue) }),
                                     "symbols": "\(effective.engine.symbols.joined(separator: ","))"])
        }
        engine.applyConfiguration(effective) { [self, effective] result in
            let outcome: Outcome
            switch result {
            case .success(let summary):
                current = effective
                if changes.changes.contains(.logLevel) { setLogLevel(Self.level(effective.log.level)) }
                logger.notice("reload applied: \(summary)",
                              metadata: ["event": "reload.applied",
                                         "changes": .array(changes.changes.map { .string($0.rawValue) }),
                                         "strategy": "\(effective.strategy.selection.name)"])
                outcome = .applied(summary: summary, deferred: deferred + (changes.changes.contains(.credentials) ? [.credentials] : []))
            case .failure(let failure):
                logger.error("reload refused by the engine, still running the previous configuration: \(failure.message)",
                             metadata: ["event": "reload.refused",
                                        "changes": .array(changes.changes.map { .string($0.rawValue) })])
                outcome = .refused(reason: failure.message)
            }
            notify { try notifier.ready(status: engine.statusLine) }
            completion?(outcome)
        }
    }

    private func reject(_ error: ConfigurationError) -> Outcome {
        let lines: [String]
        switch error {
        case .unreadable:
            lines = [error.description]
            logger.error("reload rejected, still running the previous configuration: \(error.description)",
                         metadata: ["event": "reload.rejected"])
        case .invalid(let issues):
            lines = issues.map(\.description)
            for issue in issues {
                var metadata: Logger.Metadata = ["event": "reload.rejected", "file": "\(issue.file)", "key": "\(issue.keyPath)"]
                if let line = issue.line { metadata["line"] = "\(line)" }
                logger.error("reload rejected, still running the previous configuration: \(issue.description)", metadata: metadata)
            }
        }
        return .rejected(issues: lines)
    }

    private func notify(_ send: () throws -> Void) {
        do { try send() } catch {
            logger.warning("\(error)", metadata: ["event": "systemd.notify_failed"])
        }
    }

    /// Maps the config's level names to swift-log's.
    public static func level(_ setting: LogLevelSetting) -> Logger.Level {
        Logger.Level(rawValue: setting.rawValue) ?? .info
    }
}
