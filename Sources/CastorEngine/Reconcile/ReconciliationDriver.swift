import CastorCore
import CastorTrading
import Dispatch
import Logging

/// Runs the engine's reconciliations (API.md §6.4), one at a time: a request made while
/// one runs is remembered (the latest wins) and runs after it; whoever asked to be told
/// (`then`) is told once no request is left. A run that gives up is tried again after
/// `retryDelayMs` while the engine runs, since fills may be missing until one succeeds.
///
/// The planning of a run is `ReconciliationRun` (I/O-free); this type carries out its
/// steps through the `ReconciliationHost` and keeps the counts a shutdown waits on.
///
/// Confined to the engine queue (asserted with `dispatchPrecondition`): the engine calls it there, the
/// host's completions and the retry timer run there; hence `@unchecked Sendable`.
final class ReconciliationDriver: @unchecked Sendable {
    /// A reconciliation asked for while another ran.
    struct Request {
        let trigger: ReconcileTrigger
        let snapshot: [OrderReport]?
        let settled: Set<ClientOrderID>
    }

    /// How long after a run gave up it is tried again.
    static let retryDelayMs: Int64 = 5_000

    /// The engine; weak, since it owns this driver.
    weak var host: (any ReconciliationHost)?
    private let queue: DispatchQueue
    private let clock: EngineClock
    private var current: ReconciliationRun?
    /// Tells the callbacks of a run that gave up from those of the next.
    private var generation = 0
    private(set) var queued: Request?
    private var waiting: [() -> Void] = []
    private var retryTimer: ScheduledTimer?
    /// Reconciliations finished so far.
    private(set) var completed = 0
    /// Reconciliations that gave up (a venue read failed for good).
    private(set) var failures = 0

    init(queue: DispatchQueue, clock: EngineClock) {
        self.queue = queue
        self.clock = clock
    }

    deinit {
        // An abrupt stop: the retry must not fire into a dead engine.
        retryTimer?.cancel()
    }

    /// True while a reconciliation runs.
    var isRunning: Bool { current != nil }

    /// The trigger of the running reconciliation, if any.
    var runningTrigger: ReconcileTrigger? { current?.trigger }

    /// True while a retry is armed.
    var isRetryArmed: Bool { retryTimer != nil }

    /// Reconciles for `trigger`, now or after the one running; `snapshot` is the
    /// order-events feed's active orders (nil: ask `/v1/orders`). `then` runs once this
    /// and every request queued meanwhile have finished.
    func request(_ trigger: ReconcileTrigger, snapshot: [OrderReport]?, then: (() -> Void)? = nil) {
        assertOnQueue()
        guard let host else { return }
        request(Request(trigger: trigger, snapshot: snapshot, settled: host.settledOrders()), then: then)
    }

    /// Disarms the retry (the engine released its resources).
    func cancelRetry() {
        assertOnQueue()
        retryTimer?.cancel()
        retryTimer = nil
    }

    private func request(_ r: Request, then: (() -> Void)?) {
        if let then { waiting.append(then) }
        guard current == nil else {
            queued = r
            return
        }
        begin(r)
    }

    private func begin(_ r: Request) {
        guard let host else { return }
        generation += 1
        var metadata: Logger.Metadata = ["event": "reconcile.started", "reason": "\(r.trigger.code)",
                                         "open_orders_from": r.snapshot == nil ? "rest" : "order_events"]
        if let snapshot = r.snapshot { metadata["snapshot_orders"] = "\(snapshot.count)" }
        host.reconciliationLog.info("reconciliation started", metadata: metadata)
        var run = ReconciliationRun(trigger: r.trigger, snapshot: r.snapshot, settled: r.settled)
        let step = run.start(symbols: host.reconciledSymbols, catchUp: host.catchUpPoint)
        current = run
        perform(step)
    }

    private func perform(_ step: ReconciliationRun.Step) {
        guard let host else { return }
        let gen = generation
        switch step {
        case .fetchOpenOrders:
            host.fetchOpenOrders(then: { [weak self] orders in
                self?.advance(gen) { run, host in
                    run.openOrdersFetched(orders, symbols: host.reconciledSymbols, catchUp: host.catchUpPoint)
                }
            }, onGiveUp: { [weak self] in self?.gaveUp(gen) })
        case .fetchTrades(let symbol, let since, let limit):
            host.fetchTrades(symbol, sinceMs: since, limit: limit, then: { [weak self] rows in
                self?.advance(gen) { run, host in
                    let (next, stuck) = run.tradesFetched(rows, catchUp: host.catchUpPoint)
                    if let stuck { Self.logStuck(stuck, host.reconciliationLog) }
                    return next
                }
            }, onGiveUp: { [weak self] in self?.gaveUp(gen) })
        case .apply(let fetched):
            finish(fetched)
        }
    }

    /// Feeds a venue answer to the running reconciliation (if it is still the one that
    /// asked) and carries out its next step.
    private func advance(_ gen: Int, _ body: (inout ReconciliationRun, any ReconciliationHost) -> ReconciliationRun.Step) {
        assertOnQueue()
        guard gen == generation, var run = current, let host else { return }
        let next = body(&run, host)
        current = run
        perform(next)
    }

    private func finish(_ fetched: ReconciliationRun.Fetched) {
        guard let run = current, let host else { return }
        // Still running while the plan is applied: a reconciliation requested from inside
        // (a shutdown step that found no open order left) queues behind this one.
        host.applyReconciliation(fetched, trigger: run.trigger)
        current = nil
        completed += 1
        if let next = queued {
            queued = nil
            begin(next)
        } else {
            let told = waiting
            waiting = []
            for w in told { w() }
        }
        host.reconciliationEnded()
    }

    /// A venue read failed for good. What was queued stays queued (it runs after the next
    /// reconciliation that finishes), and so do those waiting to be told.
    private func gaveUp(_ gen: Int) {
        assertOnQueue()
        guard gen == generation, let run = current, let host else { return }
        current = nil
        failures += 1
        defer { host.reconciliationEnded() }
        let read = run.currentRead
        var metadata: Logger.Metadata = ["reason": "\(run.trigger.code)", "step": "\(read.step)"]
        if let symbol = read.symbol { metadata["symbol"] = "\(symbol)" }
        guard host.retriesReconciliation else {
            // Stopping (the shutdown's fill catch-up, or one under way when it began): no
            // retry; the shutdown names any order whose fills are still missing.
            metadata["event"] = "reconcile.failed_final"
            return host.reconciliationLog.error("reconciliation failed; the next start reconciles", metadata: metadata)
        }
        metadata["event"] = "reconcile.failed_retrying"
        metadata["retry_in_ms"] = "\(Self.retryDelayMs)"
        host.reconciliationLog.error("reconciliation failed; retrying in 5 s", metadata: metadata)
        // One retry covers every failure before it fires.
        guard retryTimer == nil else { return }
        retryTimer = clock.schedule(on: queue, afterMs: Self.retryDelayMs) { [weak self] in
            guard let self else { return }
            self.retryTimer = nil
            guard self.host?.retriesReconciliation == true else { return }
            self.request(.retry, snapshot: nil)
        }
    }

    private static func logStuck(_ stuck: ReconciliationRun.StuckPage, _ log: Logger) {
        log.critical("fill catch-up stuck: a full page of trades brought nothing new", metadata: [
            "event": "reconcile.mytrades_stuck", "reason": "page_full_of_known_trades", "symbol": "\(stuck.symbol)",
            "since_ms": "\(stuck.sinceMs)", "page_size": "\(stuck.pageSize)",
            "detail": "more than \(stuck.pageSize) trades in one millisecond; fills after them may be missing: compare the journal with the exchange's trade history"])
    }

    private func assertOnQueue() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
