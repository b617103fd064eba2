import CastorCore
import CastorSystemd
import Dispatch
import Logging

/// Handles SIGTERM/SIGINT: a graceful, bounded shutdown, and a forced one when that fails.
///
/// Order (the reverse of start-up): `STOPPING=1` → the engine stops its strategy, cancels
/// this session's open orders if configured, closes feeds and journal → the embedded
/// simulator stops → exit 0. A second signal while stopping (more than `repeatWindow` after
/// the first, so one request delivered twice does not count), or the hard deadline
/// (`timeout` + `grace`) passing, logs why and exits 1 at once; so does an engine that
/// reports it ran out of time. Every way out ends in `exit` (in `castor run`, `exit(3)`),
/// never `_exit`: the daemon's log lines wait in CastorLog's background buffer, which
/// `CastorLogging.bootstrap` flushes from an `atexit` handler, so the last lines (e.g.
/// `shutdown.complete`) are written before the process ends.
///
/// Thread safety: confined to the engine queue (`dispatchPrecondition` at entry);
/// `@unchecked Sendable` so signal sources on other queues can hand work to it.
public final class ShutdownSequencer: @unchecked Sendable {
    /// Where the sequence is.
    public enum Phase: Sendable, Equatable {
        case running, stopping, exited(code: Int32)
    }

    /// Exit codes `castor run` uses after a shutdown.
    public enum ExitStatus {
        /// Graceful shutdown finished in time.
        public static let clean: Int32 = 0
        /// Forced: second signal, deadline passed, or the engine ran out of time.
        public static let forced: Int32 = 1
    }

    private let queue: DispatchQueue
    private let engine: any ManagedEngine
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let now: @Sendable () -> DispatchTime
    private let exit: @Sendable (Int32) -> Void
    private var afterEngine: [(name: String, run: @Sendable (@escaping @Sendable () -> Void) -> Void)] = []
    private var forceTimer: DispatchSourceTimer?
    private var stoppingSince: DispatchTime?
    /// A repeat within this window is the same request delivered twice (`timeout(1)` and
    /// some supervisors signal both the process and its group), not an operator insisting.
    private let repeatWindow: Duration
    /// Where the sequence is now.
    public private(set) var phase: Phase = .running

    /// - Parameters:
    ///   - now: the clock deadlines are computed from (tests inject one).
    ///   - exit: ends the process; `castor run` passes `exit(_:)`, tests record the code.
    public init(queue: DispatchQueue, engine: any ManagedEngine, notifier: SystemdNotifier, logger: Logger,
                now: @escaping @Sendable () -> DispatchTime = { .now() }, repeatWindow: Duration = .seconds(1),
                exit: @escaping @Sendable (Int32) -> Void) {
        self.repeatWindow = repeatWindow
        self.queue = queue
        self.engine = engine
        self.notifier = notifier
        self.logger = logger
        self.now = now
        self.exit = exit
    }

    /// Adds a step run after the engine stopped (e.g. stopping the embedded simulator);
    /// steps run in the order added, each calling its completion when done. Engine queue.
    public func addStepAfterEngine(_ name: String, _ run: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        afterEngine.append((name, run))
    }

    /// Starts the graceful shutdown, or forces exit 1 if one is already under way. Engine queue.
    /// - Parameters:
    ///   - reason: what asked for it, e.g. `SIGTERM`.
    ///   - timeout: the engine's budget (`engine.shutdown_timeout`).
    ///   - grace: extra time after `timeout` before the process exits regardless.
    public func begin(reason: String, cancelOpenOrders: Bool, timeout: Duration, grace: Duration = .seconds(2)) {
        dispatchPrecondition(condition: .onQueue(queue))
        switch phase {
        case .exited:
            return
        case .stopping:
            if let since = stoppingSince,
               Int64(now().uptimeNanoseconds) - Int64(since.uptimeNanoseconds) < Self.nanoseconds(repeatWindow) {
                logger.notice("\(reason) again within \(repeatWindow.milliseconds) ms of the first: treated as the same request (send it again later to force exit)",
                              metadata: ["event": "shutdown.repeat_ignored", "signal": "\(reason)"])
                return
            }
            logger.critical("\(reason) during shutdown: forcing exit now; open orders may remain on the exchange, check them",
                            metadata: ["event": "shutdown.forced", "signal": "\(reason)"])
            finish(ExitStatus.forced)
            return
        case .running:
            break
        }
        phase = .stopping
        stoppingSince = now()
        logger.notice("shutting down (\(reason)): stopping the strategy\(cancelOpenOrders ? ", cancelling this session's open orders" : ", leaving open orders in place")",
                      metadata: ["event": "shutdown.begin", "signal": "\(reason)",
                                 "cancel_open_orders": "\(cancelOpenOrders)", "timeout_ms": "\(timeout.milliseconds)"])
        do { try notifier.stopping() } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
        let start = now()
        let deadline = start + .nanoseconds(Int(Self.nanoseconds(timeout)))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: deadline + .nanoseconds(Int(Self.nanoseconds(grace))))
        timer.setEventHandler { [weak self] in
            guard let self, self.phase == .stopping else { return }
            self.logger.critical("shutdown did not finish within \((timeout + grace).milliseconds) ms: forcing exit; open orders may remain on the exchange, check them",
                                 metadata: ["event": "shutdown.deadline"])
            self.finish(ExitStatus.forced)
        }
        timer.activate()
        forceTimer = timer
        engine.shutdownEngine(cancelOpenOrders: cancelOpenOrders, deadline: deadline) { [weak self] report in
            guard let self else { return }
            self.queue.async { self.engineStopped(report) }
        }
    }

    private func engineStopped(_ report: ManagedEngineShutdownReport) {
        guard phase == .stopping else { return }
        let metadata: Logger.Metadata = ["event": "shutdown.engine_stopped",
                                         "cancelled_orders": "\(report.cancelledOrders)",
                                         "orders_left_open": "\(report.ordersLeftOpen)",
                                         "in_time": "\(report.completedInTime)"]
        if report.ordersLeftOpen > 0 || !report.completedInTime {
            logger.error("engine stopped; \(report.ordersLeftOpen) order(s) left open on the exchange\(report.completedInTime ? "" : " (ran out of time)"): check them",
                         metadata: metadata)
        } else {
            logger.info("engine stopped; \(report.cancelledOrders) order(s) cancelled", metadata: metadata)
        }
        runSteps(afterEngine[...]) { [weak self] in
            guard let self else { return }
            self.queue.async {
                guard self.phase == .stopping else { return }
                self.logger.notice("shutdown complete", metadata: ["event": "shutdown.complete"])
                self.finish(report.completedInTime ? ExitStatus.clean : ExitStatus.forced)
            }
        }
    }

    private func runSteps(_ steps: ArraySlice<(name: String, run: @Sendable (@escaping @Sendable () -> Void) -> Void)>,
                          then done: @escaping @Sendable () -> Void) {
        guard let step = steps.first else { return done() }
        let rest = steps.dropFirst()
        step.run { [weak self] in
            guard let self else { return }
            self.queue.async {
                self.logger.debug("shutdown: \(step.name) stopped", metadata: ["event": "shutdown.step"])
                self.runSteps(rest, then: done)
            }
        }
    }

    private func finish(_ code: Int32) {
        phase = .exited(code: code)
        forceTimer?.cancel()
        forceTimer = nil
        exit(code)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
