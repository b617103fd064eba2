import CastorStatus
import CastorCore
import CastorConfig
import Dispatch
import Logging

/// The engine `castor run` runs now, across reloads that replace it.
///
/// A reload that changes the venue, the API key or the account cannot be applied to the
/// running engine: its REST session, nonce source, feeds and open orders belong to the old
/// ones. `replace` swaps the engine instead:
/// 1. the old engine shuts down as on SIGTERM (strategy stopped, this session's open orders
///    cancelled unless the caller keeps them for the successor, journal flushed and closed);
/// 2. its API key sender is retired (nothing signed is left in flight), so two nonce
///    sources for one key are never live together;
/// 3. the new engine is built from its recipe (which starts or stops the embedded
///    simulator) and started;
/// 4. if it does not become ready (start failure, or `startTimeout`), it is stopped and
///    retired in turn and the previous recipe is started again, so the daemon keeps
///    trading as before.
///
/// Everything else talks to the host as if it were the engine (`ManagedEngine`): the
/// shutdown sequencer, the watchdog pinger, the kill switch and the reload controller follow
/// whichever engine runs. A shutdown requested during a swap is honoured at once: an engine
/// that is starting is shut down, one that is already stopping is waited for, nothing
/// further is started, and the shutdown's completion runs once. An engaged kill switch is
/// carried over to the new engine with who engaged it (a reload never releases a switch a
/// signal, the operator or a failure engaged); one the old configuration engaged is left to
/// the new configuration, and its release is logged at critical (`killswitch.released`).
///
/// Thread safety: confined to the engine queue (`dispatchPrecondition` at entry; every
/// engine it runs shares that queue); `@unchecked Sendable` so signal handlers and
/// completions can hold it.
public final class EngineHost: ManagedEngine, @unchecked Sendable {
    /// How a `replace` ended.
    public enum ReplaceOutcome: Sendable, Equatable {
        /// The new engine is running.
        case replaced
        /// Nothing was changed: there was no running engine to replace.
        case refused(reason: String)
        /// The new engine did not start; the previous configuration runs again in a fresh engine.
        case restoredPrevious(reason: String)
        /// Neither the new nor the previous configuration started: no engine runs.
        case failed(reason: String)
        /// A shutdown began during the swap; nothing more was started.
        case interrupted
    }

    /// Where the host is.
    public enum Stage: String, Sendable {
        /// `startEngine` not called yet.
        case idle
        /// The first engine is being built and started.
        case starting
        case running
        /// Swap step 1–2: the old engine stops and retires its key.
        case stoppingOld
        /// Swap step 3: the new engine is being built and started.
        case startingNew
        /// Swap step 4: the new engine failed; the previous configuration is starting again.
        case startingPrevious
        /// Shut down, or nothing could be started.
        case stopped
    }

    private let queue: DispatchQueue
    private let logger: Logger
    private let startTimeout: Duration
    private let retireTimeout: Duration
    /// The engine being started or running; nil while none is (between two engines).
    public private(set) var engine: (any ManagedEngine)?
    /// The recipe of the running engine (the fallback of the next swap).
    public private(set) var recipe: EngineRecipe
    public private(set) var stage: Stage = .idle
    /// A shutdown was requested; nothing more is started.
    public private(set) var isShuttingDown = false
    /// A shutdown requested while no engine could take it (between engines), and what to
    /// report when it settles: the last engine's stop.
    private var pendingShutdown: (@Sendable (ManagedEngineShutdownReport) -> Void)?
    private var lastStopReport = ManagedEngineShutdownReport(cancelledOrders: 0, ordersLeftOpen: 0, completedInTime: true)
    /// The kill switch the next engine must start with: who engaged it (never the
    /// configuration, which each engine reads from its own file) and their words.
    private var killSwitch: (cause: KillSwitchCause, detail: String)?

    /// - Parameters:
    ///   - recipe: the first engine's (started by `startEngine`).
    ///   - startTimeout: how long a replacement (or the fallback) may take to become ready
    ///     before it is given up; the first start has no such limit (systemd's
    ///     `TimeoutStartSec` covers it).
    ///   - retireTimeout: how long to wait for a stopped engine's last signed request.
    public init(recipe: EngineRecipe, queue: DispatchQueue, logger: Logger,
                startTimeout: Duration = .seconds(60), retireTimeout: Duration = .seconds(30)) {
        self.recipe = recipe
        self.queue = queue
        self.logger = logger
        self.startTimeout = startTimeout
        self.retireTimeout = retireTimeout
    }

    // MARK: ManagedEngine

    /// Builds and starts the first engine from the initial recipe.
    public func startEngine(completion: @escaping @Sendable (Result<Void, ManagedEngineFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard stage == .idle else { return completion(.failure(ManagedEngineFailure("the engine host was started already"))) }
        stage = .starting
        launch(recipe, timeout: nil) { [self] result in
            if isShuttingDown {
                settlePendingShutdown()
                return completion(.failure(ManagedEngineFailure("shut down during start-up")))
            }
            if case .failure = result {
                engine = nil
                stage = .stopped
            } else {
                stage = .running
            }
            completion(result)
        }
    }

    public func applyConfiguration(_ configuration: CastorConfiguration,
                                   completion: @escaping @Sendable (Result<String, ManagedEngineFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard stage == .running, !isShuttingDown, let engine else {
            return completion(.failure(ManagedEngineFailure("the engine is \(stage.rawValue)\(isShuttingDown ? " and shutting down" : ""); send the reload again once it is running")))
        }
        engine.applyConfiguration(configuration, completion: completion)
    }

    /// Engages the running engine's switch and remembers it for any engine started after
    /// (a replacement, or the previous configuration again); between engines only remembers.
    public func engageKillSwitch(by cause: KillSwitchCause, detail: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        if killSwitch == nil, cause != .configuration { killSwitch = (cause, detail) }
        engine?.engageKillSwitch(by: cause, detail: detail)
    }

    public func releaseKillSwitch(by cause: KillSwitchCause, detail: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let held = killSwitch, cause.mayRelease(heldBy: held.cause) { killSwitch = nil }
        engine?.releaseKillSwitch(by: cause, detail: detail)
    }

    public var killSwitchHolder: KillSwitchCause? {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let engine else { return killSwitch?.cause }
        return engine.killSwitchHolder
    }

    /// Shuts down whichever engine runs or starts; during a swap, see the type's docs.
    public func shutdownEngine(cancelOpenOrders: Bool, deadline: DispatchTime,
                               completion: @escaping @Sendable (ManagedEngineShutdownReport) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isShuttingDown else {
            return completion(ManagedEngineShutdownReport(cancelledOrders: 0, ordersLeftOpen: lastStopReport.ordersLeftOpen,
                                                          completedInTime: false))
        }
        isShuttingDown = true
        if let engine, stage != .stoppingOld {
            engine.shutdownEngine(cancelOpenOrders: cancelOpenOrders, deadline: deadline) { [self] report in
                queue.async { [self] in
                    stage = .stopped
                    completion(report)
                }
            }
            return
        }
        switch stage {
        case .idle, .stopped:
            stage = .stopped
            completion(lastStopReport)
        default:
            // Between engines: settled when the step under way (stop, retire, build) ends.
            logger.notice("shutdown requested while the engine is being replaced: finishing the current step, starting nothing more",
                          metadata: ["event": "reload.shutdown_during_swap", "stage": "\(stage.rawValue)"])
            pendingShutdown = completion
        }
    }

    public func awaitSessionRetired(deadline: DispatchTime, completion: @escaping @Sendable (Bool) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let engine else { return completion(true) }
        engine.awaitSessionRetired(deadline: deadline, completion: completion)
    }

    /// During a swap the host counts as alive: every step has a deadline of its own.
    public var isAlive: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        switch stage {
        case .idle: return true
        case .starting, .running: return engine?.isAlive ?? (stage == .starting)
        case .stoppingOld, .startingNew, .startingPrevious: return engine?.isAlive ?? true
        case .stopped: return false
        }
    }

    /// The running engine's report; nil during start-up's early steps and a swap.
    public var operatorStatus: StatusReport? {
        dispatchPrecondition(condition: .onQueue(queue))
        return engine?.operatorStatus
    }

    public var statusLine: String {
        dispatchPrecondition(condition: .onQueue(queue))
        switch stage {
        case .idle: return "not started"
        case .starting, .running: return engine?.statusLine ?? "starting"
        case .stoppingOld: return "reloading: stopping the engine to replace it"
        case .startingNew: return "reloading: starting the engine for the new configuration" + (engine.map { " (\($0.statusLine))" } ?? "")
        case .startingPrevious: return "reloading: the new configuration did not start; starting the previous one again"
        case .stopped: return "stopped"
        }
    }

    // MARK: Replacing

    /// Replaces the running engine with one built from `new` (see the type's docs).
    /// - Parameter cancelOpenOrders: cancel the old engine's open orders as it stops. Pass
    ///   true when the venue or account changes (the new session cannot manage them); with
    ///   false (a key rotation) they stay, and the new engine adopts them from the journal
    ///   and its reconciliation.
    /// - Parameter completion: runs once on the engine queue when the swap has ended.
    public func replace(with new: EngineRecipe, cancelOpenOrders: Bool,
                        completion: @escaping @Sendable (ReplaceOutcome) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard stage == .running, !isShuttingDown, let old = engine else {
            return completion(.refused(reason: "the engine is \(stage.rawValue)\(isShuttingDown ? " and shutting down" : ""), not running"))
        }
        let previous = recipe
        carryKillSwitch(from: old, to: new)
        stage = .stoppingOld
        engine = nil
        logger.notice("reload: stopping the running engine (\(cancelOpenOrders ? "cancelling this session's open orders" : "leaving open orders for the new engine to adopt")) to start one for \(new.summary)",
                      metadata: ["event": "reload.engine_stopping", "cancel_open_orders": "\(cancelOpenOrders)"])
        old.shutdownEngine(cancelOpenOrders: cancelOpenOrders,
                           deadline: .now() + Self.interval(previous.configuration.engine.shutdownTimeout)) { [self] report in
            queue.async { [self] in oldStopped(old, report: report, new: new, previous: previous, completion: completion) }
        }
    }

    private func oldStopped(_ old: any ManagedEngine, report: ManagedEngineShutdownReport, new: EngineRecipe,
                            previous: EngineRecipe, completion: @escaping @Sendable (ReplaceOutcome) -> Void) {
        lastStopReport = report
        let metadata: Logger.Metadata = ["event": "reload.engine_stopped", "cancelled_orders": "\(report.cancelledOrders)",
                                         "orders_left_open": "\(report.ordersLeftOpen)", "in_time": "\(report.completedInTime)"]
        if report.ordersLeftOpen > 0 || !report.completedInTime {
            logger.error("reload: previous engine stopped with \(report.ordersLeftOpen) order(s) still open on \(previous.summary)\(report.completedInTime ? "" : " (it ran out of time)"): check them there",
                         metadata: metadata)
        } else {
            logger.notice("reload: previous engine stopped; \(report.cancelledOrders) order(s) cancelled", metadata: metadata)
        }
        if isShuttingDown { return interrupted(completion) }
        retire(old) { [self] in
            if isShuttingDown { return interrupted(completion) }
            stage = .startingNew
            logger.notice("reload: starting the engine for \(new.summary)", metadata: ["event": "reload.engine_starting"])
            launch(new, timeout: startTimeout) { [self] result in
                if isShuttingDown { return interrupted(completion) }
                switch result {
                case .success:
                    recipe = new
                    stage = .running
                    completion(.replaced)
                case .failure(let failure):
                    restorePrevious(previous, after: failure, completion: completion)
                }
            }
        }
    }

    /// Step 4: the new engine did not start. It has stopped (or was never built); once its
    /// key is retired the previous recipe starts again.
    private func restorePrevious(_ previous: EngineRecipe, after failure: ManagedEngineFailure,
                                 completion: @escaping @Sendable (ReplaceOutcome) -> Void) {
        let failed = engine
        engine = nil
        stage = .startingPrevious
        logger.error("reload: the engine for the new configuration did not start: \(failure.message); starting the previous configuration again (\(previous.summary))",
                     metadata: ["event": "reload.engine_failed", "reason": "engine_start_failed", "detail": "\(failure.message)"])
        retire(failed) { [self] in
            if isShuttingDown { return interrupted(completion) }
            launch(previous, timeout: startTimeout) { [self] result in
                if isShuttingDown { return interrupted(completion) }
                switch result {
                case .success:
                    stage = .running
                    completion(.restoredPrevious(reason: failure.message))
                case .failure(let again):
                    engine = nil
                    stage = .stopped
                    completion(.failed(reason: "new configuration: \(failure.message); previous configuration: \(again.message)"))
                }
            }
        }
    }

    private func interrupted(_ completion: @escaping @Sendable (ReplaceOutcome) -> Void) {
        settlePendingShutdown()
        completion(.interrupted)
    }

    /// Completes a shutdown that arrived between engines (none is left to stop).
    private func settlePendingShutdown() {
        guard engine == nil else { return }  // a started engine got the shutdown itself
        stage = .stopped
        guard let pending = pendingShutdown else { return }
        pendingShutdown = nil
        pending(lastStopReport)
    }

    /// Before a swap: the old engine's switch goes to the next engine unless the old
    /// configuration held it, in which case the new file decides (logged when that releases it).
    private func carryKillSwitch(from old: any ManagedEngine, to new: EngineRecipe) {
        guard let holder = old.killSwitchHolder else { return }
        if holder != .configuration {
            if killSwitch == nil { killSwitch = (holder, "engaged by \(holder.code) before a reload replaced the engine") }
        } else if killSwitch == nil, !new.configuration.risk.engagesKillSwitch {
            logger.critical("kill switch released by the configuration: the new file has kill_switch = false in [risk] and the old one engaged it",
                            metadata: ["event": "killswitch.released", "reason": "configuration", "by": "configuration",
                                       "held_by": "configuration"])
        }
    }

    // MARK: Steps

    /// Builds and starts an engine from `recipe`; `then` runs once on the engine queue. With
    /// a `timeout`, an engine not ready in time is shut down and reported as failed.
    private func launch(_ recipe: EngineRecipe, timeout: Duration?,
                        then: @escaping (Result<Void, ManagedEngineFailure>) -> Void) {
        let thenBox = UncheckedBox(then)
        recipe.build { [self] built in
            dispatchPrecondition(condition: .onQueue(queue))
            let engine: any ManagedEngine
            switch built {
            case .failure(let failure): return thenBox.value(.failure(failure))
            case .success(let made): engine = made
            }
            guard !isShuttingDown else {
                // Never started: it holds nothing yet.
                return thenBox.value(.failure(ManagedEngineFailure("shut down before the engine started")))
            }
            self.engine = engine
            if let killSwitch { engine.engageKillSwitch(by: killSwitch.cause, detail: killSwitch.detail) }
            let first = FirstCall()
            let timer = timeout.map { timeout in
                DispatchWorkItem { [self] in
                    guard first.claim() else { return }
                    let why = ManagedEngineFailure("not ready within \(timeout.milliseconds) ms")
                    guard !isShuttingDown else { return thenBox.value(.failure(why)) }
                    // Stopped before anything else may take the journal or the key.
                    engine.shutdownEngine(cancelOpenOrders: true,
                                          deadline: .now() + Self.interval(recipe.configuration.engine.shutdownTimeout)) { [self] _ in
                        queue.async { thenBox.value(.failure(why)) }
                    }
                }
            }
            if let timer, let timeout { queue.asyncAfter(deadline: .now() + Self.interval(timeout), execute: timer) }
            let timerBox = UncheckedBox(timer)  // cancelled on the engine queue only
            engine.startEngine { result in
                guard first.claim() else { return }
                timerBox.value?.cancel()
                thenBox.value(result)
            }
        }
    }

    /// Waits until `engine` (stopped or failed) can sign nothing more, so its successor may
    /// use the same key; gives up after `retireTimeout`, saying so.
    private func retire(_ engine: (any ManagedEngine)?, then: @escaping () -> Void) {
        guard let engine else { return then() }
        let thenBox = UncheckedBox(then)
        engine.awaitSessionRetired(deadline: .now() + Self.interval(retireTimeout)) { [self] retired in
            if !retired {
                logger.warning("reload: the stopped engine still had a signed request in flight after \(retireTimeout.milliseconds) ms; starting the next engine anyway",
                               metadata: ["event": "reload.retire_timeout"])
            }
            thenBox.value()
        }
    }

    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        .milliseconds(Int(duration.milliseconds))
    }
}
