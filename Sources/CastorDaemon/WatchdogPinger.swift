import CastorSystemd
import Dispatch
import Logging

/// Sends `WATCHDOG=1` from the engine queue, and only while the engine says it is alive.
///
/// The timer runs on the engine's own queue on purpose: if that queue is wedged (a blocked
/// call, a livelock), no ping is sent and systemd restarts the service, which is the point
/// of the watchdog. A ping from another thread would keep a dead engine "alive". Pings go
/// out every `WatchdogSettings.pingInterval` (half of `WatchdogSec`).
///
/// Thread safety: `start`/`stop` and the timer run on the engine queue;
/// `@unchecked Sendable` so the owner can keep it in a `Sendable` context.
public final class WatchdogPinger: @unchecked Sendable {
    private let queue: DispatchQueue
    private let interval: Duration
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let isAlive: () -> Bool
    private var timer: DispatchSourceTimer?
    private var missed = 0
    /// Pings sent so far (for tests and the status line).
    public private(set) var pingsSent = 0

    /// - Parameter isAlive: asked on the engine queue before each ping (`engine.isAlive`).
    public init(queue: DispatchQueue, interval: Duration, notifier: SystemdNotifier, logger: Logger,
                isAlive: @escaping () -> Bool) {
        self.queue = queue
        self.interval = interval
        self.notifier = notifier
        self.logger = logger
        self.isAlive = isAlive
    }

    /// Starts pinging (first ping one interval from now). Engine queue.
    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard timer == nil else { return }
        let (seconds, attoseconds) = interval.components
        let nanos = max(1_000_000, Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        let source = DispatchSource.makeTimerSource(queue: queue)
        // 5 % leeway lets the kernel batch wake-ups without risking the half-interval margin.
        source.schedule(deadline: .now() + .nanoseconds(nanos), repeating: .nanoseconds(nanos),
                        leeway: .nanoseconds(nanos / 20))
        source.setEventHandler { [weak self] in self?.tick() }
        source.activate()
        timer = source
        logger.info("watchdog: pinging systemd every \(nanos / 1_000_000) ms while the engine is alive",
                    metadata: ["event": "watchdog.start"])
    }

    /// Stops pinging (shutdown). Engine queue.
    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        timer?.cancel()
        timer = nil
    }

    private func tick() {
        guard isAlive() else {
            missed += 1
            // One line per miss is enough: systemd will act after two.
            logger.warning("watchdog: engine not alive, withholding WATCHDOG=1 (\(missed) missed)",
                           metadata: ["event": "watchdog.withheld"])
            return
        }
        if missed > 0 {
            logger.notice("watchdog: engine alive again after \(missed) missed ping(s)", metadata: ["event": "watchdog.resumed"])
            missed = 0
        }
        do {
            try notifier.watchdog()
            pingsSent += 1
        } catch {
            logger.warning("\(error.description)", metadata: ["event": "systemd.notify_failed"])
        }
    }
}
