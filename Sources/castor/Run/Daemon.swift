import CastorConfig
import CastorEngine
import CastorLog
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
/// Start-up order (stop is the reverse): embedded simulator (venue `sim` only) → engine
/// init → signal sources → engine start → `READY=1` → watchdog pinger. All of it, and every
/// signal's work, runs on the engine queue, so the engine is only ever touched there.
///
/// Signals (blocked process-wide before any thread exists; one Dispatch source each):
/// - SIGHUP: `ReloadController` — re-read and validate; invalid → logged, nothing changes.
/// - SIGUSR1: toggles the kill switch (see `toggleKillSwitch`).
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
    private var engine: Engine?
    private var reloads: ReloadController?
    private var sequencer: ShutdownSequencer?
    private var pinger: WatchdogPinger?
    private var signalSources: [SignalSource] = []
    private var ready = false
    /// A SIGTERM/SIGINT that arrived before the engine existed (embedded simulator starting).
    private var earlyStop: String?

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
            logger.notice("castor starting: \(plan.configuration.summary)",
                          metadata: ["event": "run.starting", "config": "\(configPath ?? "(built-in defaults)")",
                                     "pid": "\(getpid())"])
            if plan.configuration.venue == .simulator {
                startEmbeddedVenue()
            } else {
                startEngine(credentials: plan.credentials, endpoints: realEndpoints())
            }
        }
    }

    private func realEndpoints() -> EngineEndpoints? {
        do {
            switch plan.configuration.venue {
            case .production: return EngineEndpoints(venue: .production)
            case .sandbox: return EngineEndpoints(venue: .sandbox)
            case .custom(let rest, let ws): return try EngineEndpoints(restBaseURL: rest, webSocketBaseURL: ws)
            case .simulator: return nil
            }
        } catch {
            fail("venue URL rejected: \(error)", code: RunExitCode.config)
            return nil
        }
    }

    private func startEmbeddedVenue() {
        if plan.credentials != nil {
            logger.notice("venue is the embedded simulator: ignoring the configured API credentials (they are for a real venue)",
                          metadata: ["event": "run.credentials_ignored"])
        }
        EmbeddedVenue.start(symbols: plan.configuration.engine.symbols, logger: Logger(label: "sim"), queue: queue) { [self] result in
            switch result {
            case .failure(let error):
                fail(error.description, code: RunExitCode.unavailable)
            case .success(let venue):
                self.venue = venue
                logger.notice("embedded simulator listening on \(venue.restURL) (no real money; its ledger lives in this process)",
                              metadata: ["event": "sim.embedded", "rest_url": "\(venue.restURL)", "websocket_url": "\(venue.webSocketURL)",
                                         "api_key": "\(venue.credentials.key)"])
                do {
                    let endpoints = try EngineEndpoints(restBaseURL: venue.restURL, webSocketBaseURL: venue.webSocketURL)
                    startEngine(credentials: venue.credentials, endpoints: endpoints)
                } catch {
                    fail("embedded simulator URL rejected: \(error)", code: RunExitCode.unavailable)
                }
            }
        }
    }

    private func startEngine(credentials: APICredentials?, endpoints: EngineEndpoints?) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let endpoints else { return }
        let engine = Engine(configuration: plan.configuration, credentials: credentials, endpoints: endpoints,
                            logger: Logger(label: "engine"), queue: queue, feeds: .gemini)
        self.engine = engine
        let credentialKey = plan.configuration.venue == .simulator ? nil : credentials?.key
        let isSimulator = plan.configuration.venue == .simulator
        let path = configPath
        reloads = ReloadController(
            initial: plan.configuration, queue: queue, engine: engine, notifier: notifier, logger: logger,
            load: { Self.load(path) }, runningCredentialKey: credentialKey,
            credentialKey: {
                guard !isSimulator else { return nil }
                return (try? CredentialsLoader(environment: ProcessInfo.processInfo.environment).load())??.key
            },
            setLogLevel: { CastorLogging.setLevel($0) })
        let sequencer = ShutdownSequencer(queue: queue, engine: engine, notifier: notifier, logger: logger,
                                          exit: { code in Glibc.exit(code) })
        if let venue {
            let queue = self.queue
            sequencer.addStepAfterEngine("embedded simulator") { done in venue.stop(queue: queue, completion: done) }
        }
        self.sequencer = sequencer
        if let reason = earlyStop { return beginShutdown(reason) }
        logger.info("engine starting: \(endpoints)", metadata: ["event": "engine.starting"])
        engine.start { [self] result in
            switch result {
            case .success:
                becomeReady()
            case .failure(let error):
                guard sequencer.phase == .running else { return }
                fail("engine did not start: \(error.description)", code: Self.exitCode(for: error))
            }
        }
    }

    private func becomeReady() {
        guard let engine, sequencer?.phase == .running else { return }
        ready = true
        do { try notifier.ready(status: engine.statusLine) } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
        logger.notice("castor ready: both feeds live, strategy \(engine.strategyName ?? "none") running",
                      metadata: ["event": "run.ready", "status": "\(engine.statusLine)"])
        if let settings = WatchdogSettings.fromEnvironment() {
            let pinger = WatchdogPinger(queue: queue, interval: settings.pingInterval, notifier: notifier, logger: logger,
                                        isAlive: { [weak engine] in engine?.isAlive ?? false })
            pinger.start()
            self.pinger = pinger
        }
    }

    private func handle(_ signal: Signal) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch signal {
        case .hangup:
            guard let reloads else {
                logger.warning("SIGHUP during start-up ignored: the configuration is read once the engine exists; send it again after READY",
                               metadata: ["event": "reload.ignored"])
                return
            }
            reloads.reload()
        case .user1:
            toggleKillSwitch()
        case .terminate, .interrupt:
            beginShutdown(signal == .terminate ? "SIGTERM" : "SIGINT")
        }
    }

    /// SIGUSR1 toggles: the first engages the kill switch (cancel everything, refuse new
    /// orders), the next releases it. A toggle needs no second signal or control socket and
    /// its state is always in the log and in `systemctl status`. A reload never releases it.
    private func toggleKillSwitch() {
        guard let engine else {
            logger.warning("SIGUSR1 during start-up ignored: no engine yet", metadata: ["event": "killswitch.ignored"])
            return
        }
        let engage = !engine.isKillSwitchEngaged
        engine.setKillSwitchEngaged(engage, reason: "SIGUSR1")
        if engage {
            logger.critical("KILL SWITCH ENGAGED by SIGUSR1: cancelling all open orders, refusing new ones; send SIGUSR1 again (systemctl kill -s USR1 castor) to release",
                            metadata: ["event": "killswitch.engaged"])
        } else {
            logger.notice("kill switch released by SIGUSR1: the strategy may place orders again", metadata: ["event": "killswitch.released"])
        }
        do { try notifier.status((engage ? "KILL SWITCH ENGAGED; " : "") + engine.statusLine) } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
    }

    private func beginShutdown(_ reason: String) {
        guard let sequencer else {
            // Nothing to cancel yet: the engine does not exist until the simulator is up.
            earlyStop = reason
            logger.notice("\(reason) during start-up: stopping once the embedded simulator is up", metadata: ["event": "shutdown.early"])
            return
        }
        let config = reloads?.current ?? plan.configuration
        sequencer.begin(reason: reason, cancelOpenOrders: config.engine.cancelOnShutdown, timeout: config.engine.shutdownTimeout)
    }

    /// Start-up failed: log why, stop what did start, exit with `code`.
    private func fail(_ message: String, code: Int32) {
        logger.critical("castor cannot start: \(message)", metadata: ["event": "run.failed", "exit_code": "\(code)"])
        let finish: @Sendable () -> Void = { Glibc.exit(code) }
        if let venue { venue.stop(queue: queue, completion: finish) } else { finish() }
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
