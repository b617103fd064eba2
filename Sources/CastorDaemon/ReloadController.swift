import CastorConfig
import CastorSystemd
import Dispatch
import Logging

/// Handles SIGHUP: re-reads and validates the configuration, then applies it.
///
/// The sequence follows systemd 252's `Type=notify` reload protocol (there is no
/// `Type=notify-reload` yet): validation happens *before* `RELOADING=1`, so a broken file
/// (or, for a new venue or key, endpoints that do not parse, credentials that do not load,
/// a strategy that does not build) never moves the unit into the reloading state; a valid
/// file is bracketed by `RELOADING=1` + `MONOTONIC_USEC` and `READY=1`, whatever then
/// happens, because the daemon keeps running either way.
///
/// How each change applies (`ConfigurationChanges.effect(of:)`):
/// - live changes (strategy, parameters, risk, rate limits, log level, feeds settings) and
///   symbols go to the running engine, which applies them or refuses with nothing changed;
///   a symbols change fetches the new symbols' details first, then reconnects market data
///   (`reload.reconnecting` before, `reload.applied` after);
/// - venue, credentials (key name re-read from `$CREDENTIALS_DIRECTORY`; credentials from
///   the environment are the copy `castor run` kept at start, since it removes the secret)
///   or account changes replace the engine (`EngineHost.replace`): this session's orders
///   are cancelled unless only the key rotated, the old engine stops as on SIGTERM, and a
///   new one starts; `READY=1` follows once it is ready. If it does not start, the previous
///   configuration is started again (`reload.refused`, outcome `.rolledBack`); if that fails
///   too the outcome is `.failed` and `castor run` exits so systemd can restart it;
/// - state directory and log format only change on restart: kept at their running values
///   and logged (`reload.deferred`).
///
/// One reload runs at a time; a SIGHUP during one is remembered and runs after it.
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
        /// Applied; `summary` says what was done, `deferred` lists restart-only changes kept old.
        case applied(summary: String, deferred: [ConfigurationChanges.Change])
        /// Valid, but refused before anything changed (the engine refused it, or the new
        /// venue's endpoints, credentials or strategy did not check out).
        case refused(reason: String)
        /// Valid, the engine was replaced, but the new one did not start: the previous
        /// configuration runs again in a fresh engine (logged as `reload.refused`).
        case rolledBack(reason: String)
        /// Neither the new nor the previous configuration started: no engine runs.
        case failed(reason: String)
        /// A shutdown began while the reload was being applied.
        case interrupted
    }

    /// Reads the configuration afresh (the file at `--config`, or the built-in default).
    public typealias Loader = @Sendable () -> Result<CastorConfiguration, ConfigurationError>
    /// Checks what a new engine for the configuration needs without a signed request
    /// (endpoints, credentials, strategy) and says how to build it.
    public typealias Preparer = @Sendable (CastorConfiguration) -> Result<EngineRecipe, ManagedEngineFailure>

    private let queue: DispatchQueue
    private let engine: EngineHost
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let load: Loader
    private let prepare: Preparer
    private let setLogLevel: @Sendable (Logger.Level) -> Void
    private let credentialKey: @Sendable (CastorConfiguration) -> String?
    private var runningCredentialKey: String?
    /// A reload is being applied (waiting for the engine or a swap).
    private var busy = false
    /// Callers of reloads that arrived while `busy`; one more reload runs for all of them.
    private var queued: [(@Sendable (Outcome) -> Void)?] = []
    /// The configuration the daemon runs with now.
    public private(set) var current: CastorConfiguration

    /// - Parameters:
    ///   - initial: the configuration the engine was started with.
    ///   - engine: the host of the running engine (it replaces the engine when needed).
    ///   - prepare: makes the recipe of a replacement engine (called only when the venue,
    ///     credentials or account change).
    ///   - runningCredentialKey: the API key name in use (nil for the embedded simulator).
    ///   - credentialKey: the key name the given configuration would use, re-read now (nil
    ///     for the embedded simulator or none); a difference means rotated credentials.
    public init(initial: CastorConfiguration, queue: DispatchQueue, engine: EngineHost,
                notifier: SystemdNotifier, logger: Logger, load: @escaping Loader, prepare: @escaping Preparer,
                runningCredentialKey: String?, credentialKey: @escaping @Sendable (CastorConfiguration) -> String?,
                setLogLevel: @escaping @Sendable (Logger.Level) -> Void) {
        current = initial
        self.queue = queue
        self.engine = engine
        self.notifier = notifier
        self.logger = logger
        self.load = load
        self.prepare = prepare
        self.runningCredentialKey = runningCredentialKey
        self.credentialKey = credentialKey
        self.setLogLevel = setLogLevel
    }

    /// Runs one reload (or, while one is being applied, one more after it). Call on the
    /// engine queue; `completion` runs there once with the outcome, possibly before this
    /// returns.
    public func reload(completion: (@Sendable (Outcome) -> Void)? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !busy else {
            logger.notice("reload requested while the previous one is still being applied: it runs once that one is done",
                          metadata: ["event": "reload.queued"])
            queued.append(completion)
            return
        }
        logger.info("reload requested", metadata: ["event": "reload.requested"])
        busy = true
        let finish: @Sendable (Outcome) -> Void = { [self] outcome in finished(outcome, completion) }
        let candidate: CastorConfiguration
        switch load() {
        case .failure(let error):
            return finish(reject(error))
        case .success(let loaded):
            candidate = loaded
        }
        let newKey = credentialKey(candidate)
        let changes = ConfigurationChanges(from: current, to: candidate,
                                           oldCredentialKey: runningCredentialKey, newCredentialKey: newKey)
        if changes.isEmpty {
            logger.info("reload: configuration unchanged", metadata: ["event": "reload.unchanged"])
            return finish(.unchanged)
        }
        var effective = candidate
        // Restart-only settings keep their running values so `current` says what is true
        // (a replacement engine keeps using the running state directory, hence the journal).
        effective.engine.stateDirectory = current.engine.stateDirectory
        effective.log.format = current.log.format
        let deferred = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .restart }
        for change in deferred {
            logger.warning("reload: \(change.rawValue) only changes on restart; keeping the running value (systemctl restart castor to apply it)",
                           metadata: ["event": "reload.deferred", "setting": "\(change.rawValue)"])
        }
        if changes.requiresNewEngine {
            replaceEngine(effective, changes: changes, newKey: newKey, deferred: deferred, finish: finish)
        } else {
            applyToEngine(effective, changes: changes, deferred: deferred, finish: finish)
        }
    }

    private func finished(_ outcome: Outcome, _ completion: (@Sendable (Outcome) -> Void)?) {
        dispatchPrecondition(condition: .onQueue(queue))
        busy = false
        completion?(outcome)
        guard !queued.isEmpty, !engine.isShuttingDown, outcome != .interrupted else { return }
        let waiting = queued
        queued.removeAll()
        reload { outcome in for c in waiting { c?(outcome) } }
    }

    /// Same venue, key and account: the running engine applies it or refuses.
    private func applyToEngine(_ effective: CastorConfiguration, changes: ConfigurationChanges,
                               deferred: [ConfigurationChanges.Change], finish: @escaping @Sendable (Outcome) -> Void) {
        notify { try notifier.reloading() }
        if changes.changes.contains(.symbols) {
            logger.notice("reload: symbols changed to \(effective.engine.symbols.joined(separator: ", ")): checking them with the venue, then reconnecting market data",
                          metadata: ["event": "reload.reconnecting", "changes": Self.list(changes),
                                     "symbols": "\(effective.engine.symbols.joined(separator: ","))"])
        }
        engine.applyConfiguration(effective) { [self] result in
            let outcome: Outcome
            switch result {
            case .success(let summary):
                current = effective
                if changes.changes.contains(.logLevel) { setLogLevel(Self.level(effective.log.level)) }
                logger.notice("reload applied: \(summary)",
                              metadata: ["event": "reload.applied", "changes": Self.list(changes),
                                         "strategy": "\(effective.strategy.selection.name)"])
                outcome = .applied(summary: summary, deferred: deferred)
            case .failure(let failure):
                logger.error("reload refused by the engine, still running the previous configuration: \(failure.message)",
                             metadata: ["event": "reload.refused", "changes": Self.list(changes)])
                outcome = .refused(reason: failure.message)
            }
            readyAgain()
            finish(outcome)
        }
    }

    /// New venue, key or account: checked first (nothing changes if that fails), then the
    /// engine is replaced.
    private func replaceEngine(_ effective: CastorConfiguration, changes: ConfigurationChanges, newKey: String?,
                               deferred: [ConfigurationChanges.Change], finish: @escaping @Sendable (Outcome) -> Void) {
        let recipe: EngineRecipe
        switch prepare(effective) {
        case .failure(let failure):
            logger.error("reload refused, still running the previous configuration: \(failure.message)",
                         metadata: ["event": "reload.refused", "changes": Self.list(changes)])
            return finish(.refused(reason: failure.message))
        case .success(let made):
            recipe = made
        }
        // Orders of another venue or account cannot be managed by the new session; after a
        // key rotation on the same account they stay, and the new engine adopts them
        // (journal + reconciliation).
        let cancel = changes.changes.contains(.venue) || current.account.account != effective.account.account
        let which = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .replaceEngine }.map(\.rawValue)
        notify { try notifier.reloading() }
        logger.notice("reload: \(which.joined(separator: ", ")) changed: replacing the engine (\(cancel ? "this session's open orders are cancelled" : "open orders are kept for the new engine")); new: \(recipe.summary)",
                      metadata: ["event": "reload.reconnecting", "changes": Self.list(changes),
                                 "cancel_open_orders": "\(cancel)"])
        engine.replace(with: recipe, cancelOpenOrders: cancel) { [self] replaced in
            switch replaced {
            case .replaced:
                current = effective
                runningCredentialKey = newKey
                if changes.changes.contains(.logLevel) { setLogLevel(Self.level(effective.log.level)) }
                let summary = "engine replaced (\(which.joined(separator: ", "))): \(recipe.summary)"
                logger.notice("reload applied: \(summary)",
                              metadata: ["event": "reload.applied", "changes": Self.list(changes),
                                         "strategy": "\(effective.strategy.selection.name)"])
                readyAgain()
                finish(.applied(summary: summary, deferred: deferred))
            case .refused(let reason):
                logger.error("reload refused, still running the previous configuration: \(reason)",
                             metadata: ["event": "reload.refused", "changes": Self.list(changes)])
                readyAgain()
                finish(.refused(reason: reason))
            case .restoredPrevious(let reason):
                logger.error("reload refused: the engine for the new configuration did not start (\(reason)); the previous configuration runs again in a new engine",
                             metadata: ["event": "reload.refused", "changes": Self.list(changes), "reason": "new_engine_did_not_start",
                                        "detail": "\(reason)"])
                readyAgain()
                finish(.rolledBack(reason: reason))
            case .failed(let reason):
                logger.critical("reload failed: neither the new nor the previous configuration started, no engine runs: \(reason)",
                                metadata: ["event": "reload.failed", "changes": Self.list(changes), "reason": "no_engine_started",
                                           "detail": "\(reason)"])
                finish(.failed(reason: reason))
            case .interrupted:
                logger.notice("reload interrupted by shutdown", metadata: ["event": "reload.interrupted"])
                finish(.interrupted)
            }
        }
    }

    /// `READY=1` after a reload, unless a shutdown began meanwhile (`STOPPING=1` was sent).
    private func readyAgain() {
        guard !engine.isShuttingDown else { return }
        notify { try notifier.ready(status: engine.statusLine) }
    }

    private static func list(_ changes: ConfigurationChanges) -> Logger.MetadataValue {
        .array(changes.changes.map { .string($0.rawValue) })
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
