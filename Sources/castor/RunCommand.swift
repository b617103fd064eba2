import ArgumentParser
import CastorAlerts
import CastorConfig
import CastorHTTP
import CastorLog
import CastorSSL
import CastorSystemd
import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `castor run`: the trading daemon.
///
/// With no `--config` and no API keys it trades on an embedded local simulator (same wire
/// protocol, loopback, ephemeral port). Under systemd it speaks `sd_notify` (READY,
/// RELOADING, STOPPING, WATCHDOG, STATUS). Signals: SIGHUP reloads the configuration (see
/// `ReloadController`; venue, key or account changes replace the engine),
/// SIGUSR1 engages the kill switch (never releases it), SIGTERM/SIGINT shut down gracefully
/// (a second one forces).
///
/// Exit codes (`RunExitCode`): 0 clean shutdown; 1 forced shutdown; 64 bad arguments;
/// 69 venue/feeds/simulator unavailable at start-up (or no engine left after a reload);
/// 73 state directory unusable;
/// 78 invalid configuration or credentials.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the trading daemon (embedded simulator when no config / keys are given).",
        discussion: """
        Signals: SIGHUP reloads the configuration (invalid: logged, nothing changes; a new \
        venue, API key or account replaces the engine, falling back to the previous configuration \
        if the new one does not start); SIGUSR1 \
        engages the kill switch (cancel all, refuse new orders; idempotent, neither a second SIGUSR1 \
        nor a reload releases it: `castor kill-switch off` does, or a restart); SIGTERM/SIGINT \
        stop gracefully (cancel this session's orders if engine.cancel_on_shutdown), a second one \
        forces exit 1.
        Exit codes: 0 clean, 1 forced shutdown, 64 usage, 69 venue unavailable, 73 state \
        directory unusable, 78 configuration or credentials invalid.
        """
    )

    @Option(help: "TOML configuration file (default: built-in configuration, embedded simulator).")
    var config: String?

    @Option(name: .customLong("log-format"), help: "json or text (default: [log] format, json).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: [log] level). A reload applies the file's level.")
    var logLevel: String?

    func run() throws {
        // Before anything can start a thread: every thread inherits this mask, which is what
        // lets libdispatch's signalfd see the signals (swift-on-linux-notes.md).
        SignalHandling.blockSignals([.hangup, .terminate, .interrupt, .user1])
        SignalHandling.ignoreSIGPIPE()
        // Before any secret is in memory: no core dump, no same-user ptrace (issue 10).
        // Failures are logged once logging exists; they do not stop the daemon.
        let hardeningFailures = ProcessHardening.disableCoreDumps()
        // Before libcurl's global init, or OpenSSL's atexit handler double-frees at exit.
        OpenSSLLibrary.initialize()

        let plan: StartupPlan
        do {
            plan = try StartupPlan.make(configPath: config, logFormat: logFormat, logLevel: logLevel,
                                        environment: ProcessInfo.processInfo.environment)
        } catch {
            // Logging is not set up yet (its format comes from the file): plain stderr lines.
            ErrorOutput.write(error.lines)
            throw ExitCode(error.code)
        }
        // The credentials are read: the secret leaves the environment (children and
        // /proc/self/environ no longer carry it). Before logging and Dispatch start
        // threads, because unsetenv is not thread-safe. Reloads use `plan`'s copy.
        let scrubbed = CredentialsLoader.removeSecretsFromEnvironment()
        // `[alerts] webhook_url`: alerting events reach it through the log handlers' tap.
        var alertProblem: String?
        var alerts: AlertForwarder?
        if let url = plan.configuration.alerts.webhookURL {
            do throws(HTTPError) {
                alerts = try AlertForwarder(url: url, instance: "\(ProcessInfo.processInfo.hostName) \(plan.configuration.venue.name)")
            } catch { alertProblem = "\(error)" }
        }
        var tap: LogTap?
        if let forwarder = alerts {
            tap = { level, message, event, metadata in forwarder.observe(level: level, message: message, event: event, metadata: metadata) }
        }
        CastorLogging.bootstrap(format: plan.logFormat, level: plan.logLevel, tap: tap)
        let logger = Logger(label: "castor")
        if let alertProblem {
            logger.error("alert webhook unavailable: alerts go to the log only",
                         metadata: ["event": "alerts.unavailable", "reason": "http_client", "detail": "\(alertProblem)"])
        }
        for failure in hardeningFailures {
            logger.warning("process hardening failed: \(failure.description)",
                           metadata: ["event": "run.hardening_failed", "call": "\(failure.call)"])
        }
        if !scrubbed.isEmpty {
            logger.info("removed \(scrubbed.joined(separator: ", ")) from the process environment after reading the credentials",
                        metadata: ["event": "run.environment_scrubbed", "variables": "\(scrubbed.joined(separator: ","))"])
        }

        let daemon = Daemon(plan: plan, configPath: config)
        daemon.launch()
        // dispatchMain() rather than a semaphore: everything runs on Dispatch queues and the
        // process only ends through exit() from the shutdown sequencer; dispatchMain also
        // services the main queue, so nothing that hops to it can deadlock.
        withExtendedLifetime(daemon) { dispatchMain() }
    }
}
