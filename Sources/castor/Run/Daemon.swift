import CastorBacktest
import CastorConfig
import CastorCore
import CastorDaemon
import CastorEmbeddedSim
import CastorEngine
import CastorLog
import CastorMetrics
import CastorSystemd
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The running `castor run` process: everything between the OS and the engine.
///
/// Start-up order (stop is the reverse): signal sources → engine host, shutdown sequencer,
/// reload controller → embedded simulator (venue `sim` only) → engine start → `READY=1` →
/// watchdog pinger. All of it, and every signal's work, runs on the engine queue, so the
/// engine is only ever touched there.
///
/// The engine lives in an `EngineHost`, so a reload that changes the venue, credentials or
/// account can replace it (this type makes the recipes: it knows the venues, where
/// credentials come from and the embedded simulator, which it starts when the venue becomes
/// `sim` and stops when it stops being `sim`; a newly started simulator has an empty ledger,
/// so the simulator journal of the one before is set aside first). Whatever talks to "the engine" (shutdown,
/// watchdog, kill switch, status) talks to the host and so follows the engine that runs.
///
/// Signals (blocked process-wide before any thread exists; one Dispatch source each):
/// - SIGHUP: `ReloadController` — re-read and validate; invalid → logged, nothing changes.
/// - SIGUSR1: engages the kill switch, only (see `engageKillSwitchOnSignal`).
/// - SIGTERM/SIGINT: `ShutdownSequencer` — graceful, bounded; a second one forces exit 1.
///
/// Thread safety: confined to the engine queue after `launch`; `@unchecked Sendable` so the
/// signal handlers and completions can hold it.
final class Daemon: @unchecked Sendable {
    private let plan: StartupPlan
    private let configPath: String?
    private let queue = DispatchQueue(label: "castor.engine", qos: .userInitiated)
    private let notifier = SystemdNotifier()
    private let logger = Logger(label: "castor")
    private var venue: EmbeddedVenue?
    /// Paper trading's exchange (`[venue] name = "paper"`), kept across engines like the
    /// embedded simulator's ledger.
    private var paperVenue: BacktestVenue?
    /// Held for the life of the process: no second castor on this state directory.
    private var stateLock: StateDirectoryLock?
    private var host: EngineHost?
    private var reloads: ReloadController?
    private var sequencer: ShutdownSequencer?
    private var pinger: WatchdogPinger?
    /// `castor status` and `castor kill-switch` reach the daemon through it.
    private var control: ControlService?
    /// Keeps `STATUS=` live after READY.
    private var statusRefresher: StatusRefresher?
    /// `[metrics] listen`: the Prometheus endpoint every engine's instruments report to.
    private var metrics: MetricsEndpoint?
    private var signalSources: [SignalSource] = []
    private var ready = false
    /// A SIGTERM/SIGINT handled before `launch`'s work ran (the sequencer did not exist yet).
    private var earlyStop: String?
    /// A SIGUSR1 handled before `launch`'s work made the engine host: engaged once it exists.
    private var earlyKillSwitch = false

    init(plan: StartupPlan, configPath: String?) {
        self.plan = plan
        self.configPath = configPath
    }

    /// Starts everything asynchronously on the engine queue; the caller parks the main thread.
    func launch() {
        // Sources first: a signal that arrives during start-up stays pending (blocked) and
        // is delivered as soon as its source is registered, so none is lost.
        for signal in [Signal.hangup, .user1, .terminate, .interrupt] {
            let source = SignalSource(signal: signal, queue: queue) { [self] in handle(signal) }
            source.activate()
            signalSources.append(source)
        }
        queue.async { [self] in
            let configuration = plan.configuration
            logger.notice("castor starting: \(configuration.summary)",
                          metadata: ["event": "run.starting", "config": "\(configPath ?? "(built-in defaults)")",
                                     "pid": "\(getpid())"])
            if !configuration.venue.requiresCredentials, plan.credentials != nil {
                logger.notice("venue \(configuration.venue.name) needs no API key: ignoring the configured credentials (they are for a real venue)",
                              metadata: ["event": "run.credentials_ignored"])
            }
            switch StateDirectoryLock.acquire(stateDirectory: configuration.engine.stateDirectory) {
            case .success(let lock): stateLock = lock
            case .failure(let failure): return fail("\(failure)", code: RunExitCode.cannotCreate)
            }
            let recipe: EngineRecipe
            switch makeRecipe(configuration, credentials: plan.credentials) {
            case .failure(let failure): return fail(failure.message, code: RunExitCode.config)
            case .success(let made): recipe = made
            }
            let host = EngineHost(recipe: recipe, queue: queue, logger: logger)
            self.host = host
            if earlyKillSwitch {
                earlyKillSwitch = false
                engageKillSwitchOnSignal()
            }
            let sequencer = ShutdownSequencer(queue: queue, engine: host, notifier: notifier, logger: logger,
                                              exit: { code in Glibc.exit(code) })
            // Whichever simulator runs when the engine has stopped (reloads start and stop it).
            sequencer.addStepAfterEngine("embedded simulator") { [self] done in
                queue.async { [self] in
                    guard let venue else { return done() }
                    self.venue = nil
                    venue.stop(queue: queue, completion: done)
                }
            }
            self.sequencer = sequencer
            startControl(configuration, host: host, sequencer: sequencer)
            startMetrics(configuration, host: host, sequencer: sequencer)
            let path = configPath
            reloads = ReloadController(
                initial: configuration, queue: queue, engine: host, notifier: notifier, logger: logger,
                load: { Self.load(path) }, prepare: { [self] in prepare($0) },
                runningCredentialKey: configuration.venue.requiresCredentials ? plan.credentials?.key : nil,
                credentialKey: { [plan] in Self.credentialKey(for: $0, plan: plan) },
                setLogLevel: { CastorLogging.setLevel($0) })
            if let reason = earlyStop { return beginShutdown(reason) }
            host.startEngine { [self] result in
                switch result {
                case .success:
                    becomeReady()
                case .failure(let failure):
                    guard sequencer.phase == .running else { return }
                    fail("engine did not start: \(failure.message)",
                         code: (failure.cause as? EngineError).map(Self.exitCode(for:)) ?? RunExitCode.unavailable)
                }
            }
        }
    }

    // MARK: Engine recipes

    /// A reload's new engine: the checks that need no signed request (credentials load for
    /// a real venue, the endpoints parse, the strategy builds), then the recipe.
    private func prepare(_ configuration: CastorConfiguration) -> Result<EngineRecipe, ManagedEngineFailure> {
        dispatchPrecondition(condition: .onQueue(queue))
        var credentials: APICredentials?
        if configuration.venue.requiresCredentials {
            do {
                credentials = try Self.reloadCredentials(for: configuration.venue, plan: plan)
            } catch {
                return .failure(ManagedEngineFailure(error.description))
            }
        }
        if let problem = StrategyValidation.buildProblem(in: configuration) {
            return .failure(ManagedEngineFailure(problem))
        }
        if let key = credentials?.key, let problem = StartupPlan.webSocketAPIKeyProblem(configuration, key: key) {
            return .failure(ManagedEngineFailure(problem))
        }
        return makeRecipe(configuration, credentials: credentials)
    }

    /// How to build an engine for `configuration`: on the embedded simulator (started if it
    /// is not running) with its generated key, or on a real venue with `credentials` (the
    /// embedded simulator stopped first, if it runs).
    private func makeRecipe(_ configuration: CastorConfiguration,
                            credentials: APICredentials?) -> Result<EngineRecipe, ManagedEngineFailure> {
        if configuration.venue == .simulator {
            return .success(EngineRecipe(configuration: configuration, summary: "the embedded simulator") { [self] done in
                // A new simulator has a new, empty ledger: its journal starts empty too.
                if venue == nil, case .failure(let error) = setAsideSimulatorJournals(configuration.engine.stateDirectory) {
                    return done(.failure(ManagedEngineFailure(error.description, cause: error)))
                }
                withEmbeddedVenue { [self] result in
                    switch result {
                    case .failure(let error):
                        done(.failure(ManagedEngineFailure(error.description)))
                    case .success(let venue):
                        do {
                            let endpoints = try EngineEndpoints(restBaseURL: venue.restURL, webSocketBaseURL: venue.webSocketURL,
                                                                webSocketAPIURL: venue.wsAPIURL)
                            done(.success(makeEngine(configuration, credentials: venue.credentials, endpoints: endpoints)))
                        } catch {
                            done(.failure(ManagedEngineFailure("embedded simulator URL rejected: \(error)")))
                        }
                    }
                }
            })
        }
        if configuration.venue == .paper {
            let source = configuration.venueAPI.marketDataURL ?? (configuration.venueAPI.api == .websocket ? "wss://ws.gemini.com" : "wss://api.gemini.com/v2/marketdata")
            return .success(EngineRecipe(configuration: configuration, summary: "paper trading on \(source)") { [self] done in
                withoutEmbeddedVenue { [self] in
                    // A new paper exchange has no orders: its journal starts empty too.
                    if paperVenue == nil, case .failure(let error) = setAsideSimulatorJournals(configuration.engine.stateDirectory, venue: .paper) {
                        return done(.failure(ManagedEngineFailure(error.description, cause: error)))
                    }
                    let paper = paperVenue ?? BacktestVenue(settings: BacktestVenueSettings(), queue: queue, clock: .system)
                    paperVenue = paper
                    do {
                        let endpoints = try EngineEndpoints(restBaseURL: "http://127.0.0.1:9", webSocketBaseURL: "ws://127.0.0.1:9")
                        let credentials = try APICredentials(key: "account-paper", secret: "paper-trading-not-a-secret")
                        done(.success(makeEngine(configuration, credentials: credentials, endpoints: endpoints,
                                                 feeds: .paper(configuration, venue: paper))))
                    } catch {
                        done(.failure(ManagedEngineFailure("paper venue: \(error)")))
                    }
                }
            })
        }
        guard let credentials else {
            return .failure(ManagedEngineFailure(CredentialsError.required(venue: configuration.venue.name).description))
        }
        let endpoints: EngineEndpoints
        do {
            switch configuration.venue {
            case .production: endpoints = EngineEndpoints(venue: .production)
            case .sandbox: endpoints = EngineEndpoints(venue: .sandbox)
            case .custom(let rest, let ws):
                endpoints = try EngineEndpoints(restBaseURL: rest, webSocketBaseURL: ws,
                                                webSocketAPIURL: configuration.venueAPI.webSocketAPIURL)
            case .simulator, .paper: preconditionFailure("handled above")
            }
        } catch {
            return .failure(ManagedEngineFailure("venue URL rejected: \(error)"))
        }
        let summary = "venue \(configuration.venue.name) (\(endpoints.venue.restBaseURL)) with API key \(credentials.key)"
        return .success(EngineRecipe(configuration: configuration, summary: summary) { [self] done in
            withoutEmbeddedVenue { [self] in
                done(.success(makeEngine(configuration, credentials: credentials, endpoints: endpoints)))
            }
        })
    }

    private func makeEngine(_ configuration: CastorConfiguration, credentials: APICredentials,
                            endpoints: EngineEndpoints, feeds: EngineFeedFactory? = nil) -> Engine {
        dispatchPrecondition(condition: .onQueue(queue))
        logger.info("engine starting: \(endpoints)", metadata: ["event": "engine.starting"])
        return Engine(configuration: configuration, credentials: credentials, endpoints: endpoints,
                      logger: Logger(label: "engine"), queue: queue, feeds: feeds ?? .gemini(for: configuration),
                      metrics: metrics?.factory)
    }

    /// Moves the journals of earlier embedded simulators aside (`castor.sim.*.previous.sqlite`),
    /// logging each move. Only while no simulator runs, so no engine has them open.
    private func setAsideSimulatorJournals(_ stateDirectory: String, venue: VenueConfiguration = .simulator) -> Result<Void, EngineError> {
        dispatchPrecondition(condition: .onQueue(queue))
        guard FileManager.default.fileExists(atPath: stateDirectory) else { return .success(()) }
        switch Engine.setAsideSimulatorJournals(stateDirectory: stateDirectory, venue: venue) {
        case .failure(let error):
            return .failure(error)
        case .success(let moves):
            for move in moves {
                logger.notice("embedded simulator starts with an empty journal: the previous run's journal is set aside (its orders and trade ids belonged to a simulator that is gone)",
                              metadata: ["event": "sim.journal_set_aside", "from": "\(move.from)", "to": "\(move.to)",
                                         "replaced_older": "\(move.replacedOlder)"])
            }
            return .success(())
        }
    }

    /// The running embedded simulator, started first if needed. It lists every symbol it
    /// knows, so a reload can add symbols without restarting it (and losing its ledger).
    private func withEmbeddedVenue(_ then: @escaping @Sendable (Result<EmbeddedVenue, EmbeddedVenueError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let venue { return then(.success(venue)) }
        EmbeddedVenue.start(symbols: nil, logger: Logger(label: "sim"), queue: queue, onUnexpectedExit: { [self] detail in
            // Its ledger (every order the engine has there) is gone: a restart starts afresh.
            venue = nil
            fail("the embedded simulator stopped on its own (\(detail)); restart castor to start a new one", code: RunExitCode.unavailable)
        }) { [self] result in
            if case .success(let venue) = result {
                self.venue = venue
                logger.notice("embedded simulator listening on \(venue.restURL) (no real money; its ledger lives in its process, castor-sim pid \(venue.pid), and ends with it)",
                              metadata: ["event": "sim.embedded", "rest_url": "\(venue.restURL)", "websocket_url": "\(venue.webSocketURL)",
                                         "pid": "\(venue.pid)",
                                         "api_key": "\(venue.credentials.key)",
                                         // Not under a "…token" key, which the log redacts: the admin
                                         // token only guards this embedded simulator (no real money),
                                         // and the operator needs it to read /sim/ledger.
                                         "sim_admin_header": "\(EmbeddedVenue.adminTokenHeader): \(venue.adminToken)"])
            }
            then(result)
        }
    }

    /// Stops the embedded simulator if it runs (the venue is no longer `sim`).
    private func withoutEmbeddedVenue(_ then: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let venue else { return then() }
        self.venue = nil
        logger.notice("stopping the embedded simulator: the venue is no longer sim (its ledger is dropped)",
                      metadata: ["event": "sim.embedded_stopped"])
        venue.stop(queue: queue, completion: then)
    }

    /// The control socket, from start-up (so `castor status` can say "starting") until the
    /// engine has stopped.
    private func startControl(_ configuration: CastorConfiguration, host: EngineHost, sequencer: ShutdownSequencer) {
        let control = ControlService(queue: queue, engine: host, logger: logger, onKillSwitchChange: { [self, weak host] engaged in
            guard let host else { return }
            do { try notifier.status((engaged ? "KILL SWITCH ENGAGED; " : "") + host.statusLine) } catch {
                logger.warning("\(error)", metadata: ["event": "systemd.notify_failed"])
            }
        }, reload: { [self] answer in
            // `castor reload` (systemd's ExecReload=): the same reload as SIGHUP, answered
            // with its outcome so a refused file fails `systemctl reload`.
            guard ready, let reloads else { return answer("castor is still starting: reload once it is ready", "") }
            reloads.reload { [self] outcome in
                switch outcome {
                case .applied(let summary, let deferred):
                    answer(nil, summary + (deferred.isEmpty ? "" : "; needs a restart: " + deferred.map(\.rawValue).joined(separator: ",")))
                case .unchanged: answer(nil, "nothing changed")
                case .rejected(let issues): answer("the file is invalid: " + issues.joined(separator: "; "), "")
                case .refused(let reason): answer("refused, the previous configuration runs on: \(reason)", "")
                case .rolledBack(let reason): answer("the new engine did not start, the previous configuration runs again: \(reason)", "")
                case .failed(let reason):
                    answer("neither configuration started: \(reason)", "")
                    fail("after a reload neither the new nor the previous configuration started: \(reason)", code: RunExitCode.unavailable)
                case .interrupted: answer("interrupted by a shutdown", "")
                }
            }
        })
        control.start(path: ControlSocketPath.resolve(environment: ProcessInfo.processInfo.environment,
                                                      stateDirectory: configuration.engine.stateDirectory))
        self.control = control
        sequencer.addStepAfterEngine("control socket") { [self] done in
            queue.async { [self] in
                self.control?.stop()
                self.control = nil
                done()
            }
        }
    }

    /// The Prometheus endpoint, when `[metrics] listen` is set. Made before the first engine
    /// (whose instruments report to it) and bound at once (its own queue serves it; `/healthz`
    /// hops onto the engine queue). A port that cannot be bound is logged and trading goes on
    /// without metrics.
    private func startMetrics(_ configuration: CastorConfiguration, host: EngineHost, sequencer: ShutdownSequencer) {
        guard let address = configuration.metrics.address else { return }
        let endpoint = MetricsEndpoint()
        endpoint.recordBuildInfo(version: CastorVersion.release)
        metrics = endpoint
        do {
            let port = try endpoint.start(host: address.host, port: address.port) { [queue, host] answer in
                queue.async { answer(Self.health(host)) }
            }
            logger.notice("metrics: GET /metrics and /healthz on \(address.host):\(port)",
                          metadata: ["event": "metrics.listening", "host": "\(address.host)", "port": "\(port)"])
        } catch {
            logger.error("metrics endpoint unavailable: trading goes on without it",
                         metadata: ["event": "metrics.unavailable", "reason": "bind_failed",
                                    "listen": "\(configuration.metrics.listen ?? "")", "detail": "\(error)"])
        }
        sequencer.addStepAfterEngine("metrics endpoint") { done in
            endpoint.stop(completion: done)
        }
    }

    /// `/healthz`: healthy while an engine runs with both feeds live and no kill switch.
    static func health(_ host: EngineHost?) -> MetricsEndpoint.Health {
        guard let host, let status = host.operatorStatus else {
            return .init(healthy: false, json: ControlAnswer.error("no engine is running"))
        }
        var problem: String?
        if status.phase != "running" { problem = "engine is \(status.phase)" }
        for feed in status.feeds where feed.state != "live" { problem = problem ?? "\(feed.name) is \(feed.state)" }
        if status.risk.killSwitch { problem = problem ?? "kill switch engaged (\(status.risk.killSwitchCause ?? "?"))" }
        guard let problem else { return .init(healthy: true, json: #"{"ok":true,"phase":"running"}"#) }
        return .init(healthy: false, json: ControlAnswer.error(problem))
    }

    private func becomeReady() {
        guard let host, sequencer?.phase == .running else { return }
        ready = true
        do { try notifier.ready(status: host.statusLine) } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
        logger.notice("castor ready: both feeds live, strategy \(reloads?.current.strategy.selection.name ?? "none") running",
                      metadata: ["event": "run.ready", "status": "\(host.statusLine)"])
        let refresher = StatusRefresher(queue: queue, line: { [weak host] in
            guard let host else { return "stopped" }
            return (host.isKillSwitchEngaged ? "KILL SWITCH ENGAGED; " : "") + host.statusLine
        }, send: { [self] text in
            do { try notifier.status(text) } catch {
                logger.warning("\(error)", metadata: ["event": "systemd.notify_failed"])
            }
        })
        refresher.start()
        statusRefresher = refresher
        if let settings = WatchdogSettings.fromEnvironment() {
            // The host, not an engine: the pinger follows whichever engine runs.
            let pinger = WatchdogPinger(queue: queue, interval: settings.pingInterval, notifier: notifier, logger: logger,
                                        isAlive: { [weak host] in host?.isAlive ?? false })
            pinger.start()
            self.pinger = pinger
        }
    }

    private func handle(_ signal: Signal) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch signal {
        case .hangup:
            guard ready, let reloads else {
                logger.warning("SIGHUP during start-up ignored: the configuration is read once the engine runs; send it again after READY",
                               metadata: ["event": "reload.ignored"])
                return
            }
            reloads.reload { [self] outcome in
                // No engine runs: exit so that systemd (Restart=) can start the daemon afresh.
                if case .failed(let reason) = outcome {
                    fail("after a reload neither the new nor the previous configuration started: \(reason)",
                         code: RunExitCode.unavailable)
                }
            }
        case .user1:
            engageKillSwitchOnSignal()
        case .terminate, .interrupt:
            beginShutdown(signal == .terminate ? "SIGTERM" : "SIGINT")
        }
    }

    /// SIGUSR1 engages the kill switch (cancel everything, refuse new orders) and never
    /// releases it: a doubled `systemctl kill -s USR1` changes nothing. A reload does not
    /// release it either (the file's `kill_switch = false` releases only a switch the file
    /// engaged); there is no control socket yet, so the operator releases it by restarting
    /// castor (`systemctl restart castor`: the open orders are cancelled at the stop, and the
    /// new process starts with the file's `kill_switch`). Logged at critical with `by: signal`.
    private func engageKillSwitchOnSignal() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let engine = host else {
            earlyKillSwitch = true
            logger.critical("KILL SWITCH requested by SIGUSR1 during start-up: engaged as soon as the engine exists",
                            metadata: ["event": "killswitch.engage_pending", "reason": "signal", "by": "signal", "signal": "SIGUSR1"])
            return
        }
        let before = engine.killSwitchHolder
        engine.engageKillSwitch(by: .signal, detail: "SIGUSR1")
        if let before, before != .configuration {
            logger.notice("SIGUSR1: the kill switch is already engaged (by \(before.code)); nothing changes. To release it, restart castor (systemctl restart castor)",
                          metadata: ["event": "killswitch.already_engaged", "reason": "signal", "by": "signal",
                                     "held_by": "\(before.code)", "signal": "SIGUSR1"])
        } else {
            var metadata: Logger.Metadata = ["event": "killswitch.engaged", "reason": "signal", "by": "signal", "signal": "SIGUSR1"]
            if let before { metadata["held_by"] = "\(before.code)" }
            logger.critical("KILL SWITCH ENGAGED by SIGUSR1: cancelling all open orders, refusing new ones. Another SIGUSR1 or a reload does not release it; `castor kill-switch off` does (or a restart)",
                            metadata: metadata)
        }
        do { try notifier.status("KILL SWITCH ENGAGED; " + engine.statusLine) } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
    }

    private func beginShutdown(_ reason: String) {
        guard let sequencer else {
            // Handled before `launch`'s work ran: nothing to stop yet.
            earlyStop = reason
            logger.notice("\(reason) during start-up: stopping as soon as start-up has set up the shutdown", metadata: ["event": "shutdown.early"])
            return
        }
        let config = reloads?.current ?? plan.configuration
        sequencer.begin(reason: reason, cancelOpenOrders: config.engine.cancelOnShutdown, timeout: config.engine.shutdownTimeout)
    }

    /// Start-up (or a reload) left no engine running: log why, stop what did start, exit with `code`.
    private func fail(_ message: String, code: Int32) {
        logger.critical("castor cannot \(ready ? "continue" : "start"): \(message)", metadata: ["event": "run.failed", "exit_code": "\(code)"])
        let finish: @Sendable () -> Void = { Glibc.exit(code) }
        if let venue { venue.stop(queue: queue, completion: finish) } else { finish() }
    }

    /// The API key name `configuration` would use now (nil on the simulator, or if none).
    static func credentialKey(for configuration: CastorConfiguration, plan: StartupPlan) -> String? {
        guard configuration.venue.requiresCredentials else { return nil }
        return (try? reloadCredentials(for: configuration.venue, plan: plan))??.key
    }

    /// Credentials for a reload: the `$CREDENTIALS_DIRECTORY` files are read again, but the
    /// environment is not. `RunCommand` removed `CASTOR_API_SECRET` from it after start-up,
    /// so the credentials it held then are kept in memory (`plan.environmentCredentials`);
    /// re-reading the environment would find only the key name and fail.
    static func reloadCredentials(for venue: VenueConfiguration, plan: StartupPlan) throws(CredentialsError) -> APICredentials? {
        try CredentialsLoader(environment: ProcessInfo.processInfo.environment)
            .reload(for: venue, fromEnvironment: plan.environmentCredentials)
    }

    static func load(_ path: String?) -> Result<CastorConfiguration, ConfigurationError> {
        guard let path else { return .success(.default) }
        do throws(ConfigurationError) {
            return .success(try CastorConfiguration.load(path: path))
        } catch {
            return .failure(error)
        }
    }

    static func exitCode(for error: EngineError) -> Int32 {
        switch error {
        case .journal: RunExitCode.cannotCreate
        case .credentials, .roles, .symbol, .strategy: RunExitCode.config
        case .exchange, .feeds, .timedOut, .reloadRefused, .invalidState: RunExitCode.unavailable
        }
    }
}
