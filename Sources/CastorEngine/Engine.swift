import CastorConfig
import CastorCore
import CastorFeeds
import CastorJournal
import CastorLog
import CastorStrategy
import CastorTrading
import CoreMetrics
import Dispatch
import Logging
import struct GeminiProtocol.APICredentials
import enum GeminiProtocol.NonceFormat

/// The trading daemon's core: books, orders, positions and the strategy, driven by the
/// feeds and the REST order queue.
///
/// **Threading.** One serial queue, `queue`, owns all engine state. Every public member
/// must be called on it (checked with `dispatchPrecondition`); completions run on it. I/O
/// (HTTP, WebSockets) and timers hand their results to it. That invariant is what makes
/// the `@unchecked Sendable` sound: the engine is shared with closures, never touched
/// concurrently.
///
/// **Lifecycle.** `init` → `start` (journal, self-checks, reconciliation, feeds, strategy;
/// completion once both feeds are live) → any number of `apply(configuration:completion:)`
/// and `setKillSwitch` → `shutdown`. Once stopped (or failed to start) the engine has closed
/// its journal and retired its API key sender, so a replacement engine can take both over
/// (`awaitSessionRetired`). Dropping the engine without `shutdown` is an abrupt stop: the
/// journal is crash-safe and the next start reconciles with the exchange.
///
/// **Money rules** enforced here: every order goes through `OrderManager` (unique client
/// order ids, lookup-before-resend after any ambiguous failure); private requests go out
/// one at a time through the key's `RequestScheduler` lane (nonce order); fills are applied once
/// (`FillLedger` by trade id, journal trade-id primary key) and reconciled after every
/// (re)connect and at start-up; secrets are never logged.
public final class Engine: @unchecked Sendable {
    /// The engine queue. Every public member must be called on it.
    public let queue: DispatchQueue
    let clock: EngineClock
    /// Venue, key, client-order-id prefix, boot token, creation time.
    let identity: EngineIdentity
    var logger: Logger { didSet { componentLoggers.removeAll() } }
    /// `log(_:)`'s loggers, one per component: setting the metadata key copies the
    /// handler's metadata, about 2,400 instructions, five times per order placed.
    private var componentLoggers: [String: Logger] = [:]
    var configuration: CastorConfiguration

    // MARK: State (engine queue only)

    /// Where the engine is in its life (start-up steps, running, reloading, stopping);
    /// every phase change goes through it.
    var lifecycle = EngineLifecycle()
    /// The open journal and its writer queue.
    var journaling = Journaling()
    /// Risk, the order manager and the intents.
    var router: OrderRouter
    /// The REST client, the request scheduler and its back-off state.
    var lane: RequestLane
    /// Symbols' rules, balances, books and the strategy's book views.
    var market = MarketState()
    /// The feed adapters and their liveness.
    var connections: FeedConnections
    /// The strategy, its callbacks and its timers.
    let runner: StrategyRunner
    /// The 1 s tick (watchdog liveness, heartbeats, the shutdown's backstop check).
    var ticker: EngineTick
    /// Whoever waits for the start to finish, and the shutdown step waiting for a condition.
    var waiting = EngineWaiters()
    /// Reconciliations: the one running, the one queued behind it, the retry after a failure.
    let reconciliation: ReconciliationDriver

    /// Creates an engine; nothing is opened or connected until `start`.
    ///
    /// - Parameters:
    ///   - configuration: the validated configuration.
    ///   - credentials: the API key for the venue (required to trade; never logged).
    ///   - endpoints: REST base URL and WebSocket URLs (from `GeminiVenue` or the embedded simulator).
    ///   - logger: the base logger; the engine adds `component` metadata, which the Castor
    ///     log handlers write as the line's `component` field.
    ///   - queue: the engine queue (serial).
    ///   - clock: wall-clock milliseconds; inject one in tests.
    ///   - feeds: how the feed adapters are made; the default uses Gemini's WebSockets.
    ///   - strategies: factories added to the built-ins (tests, embedders); they win over a
    ///     plug-in of the same name.
    ///   - metrics: where the engine's instruments are made (`castor_orders_total`, …); nil:
    ///     no-ops.
    public init(configuration: CastorConfiguration, credentials: APICredentials?, endpoints: EngineEndpoints,
                logger: Logger, queue: DispatchQueue, clock: EngineClock = .system,
                feeds: EngineFeedFactory = .gemini, strategies: [any StrategyFactory] = [],
                metrics: (any MetricsFactory)? = nil) {
        runner = StrategyRunner(queue: queue, clock: clock, extraFactories: strategies)
        reconciliation = ReconciliationDriver(queue: queue, clock: clock)
        self.configuration = configuration
        self.logger = logger
        self.queue = queue
        self.clock = clock
        connections = FeedConnections(factory: feeds)
        let now = clock.nowMs()
        ticker = EngineTick(lastMs: now)
        let bootToken = ClientOrderIDGenerator.bootToken(startTimeMilliseconds: now)
        let ownPrefix = ClientOrderIDGenerator.instancePrefix(base: Engine.clientOrderIDPrefix, apiKey: credentials?.key)
        identity = EngineIdentity(endpoints: endpoints, credentials: credentials, ownPrefix: ownPrefix,
                                  bootToken: bootToken, startedAtMs: now,
                                  metrics: EngineMetrics(factory: metrics ?? NOOPMetricsHandler.instance))
        // Replaced in `start` once the journal tells the last counter used.
        router = OrderRouter(
            manager: OrderManager(generator: try! ClientOrderIDGenerator(prefix: ownPrefix, boot: bootToken),
                                  configuration: Engine.managerConfiguration(configuration), seed: UInt64(truncatingIfNeeded: now)),
            risk: RiskChecker(defaultLimits: Engine.checkerLimits(configuration.risk.defaults)))
        lane = RequestLane(
            scheduler: RequestScheduler(privateBucket: Engine.privateBucket(configuration.rateLimits,
                                                                            nonceFormat: configuration.account.nonceFormat),
                                        publicBucket: Engine.bucket(configuration.rateLimits.publicPerSecond,
                                                                    configuration.rateLimits.publicBurst)),
            rng: SeededRandom(seed: UInt64(truncatingIfNeeded: now) ^ 0x5EED))
        applyRiskConfiguration(configuration.risk)
        runner.context = EngineStrategyContext(engine: self)
        reconciliation.host = self
    }

    deinit {
        // An abrupt stop: timers must not fire into a dead engine (the runner cancels the
        // strategy's); feeds close with it.
        ticker.timer?.cancel()
        lane.wake?.cancel()
    }

    /// This instance's client order id prefix: `clientOrderIDPrefix` and its API key's tag
    /// (`ClientOrderIDGenerator.instancePrefix`). Orders without it are foreign.
    public var ownPrefix: String { identity.ownPrefix }

    /// The start of every client order id Castor makes (alphanumeric, see
    /// `ClientOrderIDGenerator`); each instance adds its key's tag (`ownPrefix`).
    public static let clientOrderIDPrefix = "cx"
    /// Client-order counters reserved per synced journal write (see `place`).
    static let clientOrderCounterBlock: Int64 = 1000

    // MARK: Public API

    /// Starts the engine: journal open and state rebuild → the key's permissions (it must trade) →
    /// symbol details → balances → open orders and fills since the last journaled fill
    /// (reconciliation) → feeds connected and subscribed → strategy started.
    ///
    /// `completion` runs once on the engine queue: success once both feeds are live and the
    /// reconciliation after the order-events feed connected has finished (tell systemd
    /// `READY=1` then), or the first error, after which the engine is stopped.
    public func start(completion: @escaping @Sendable (Result<Void, EngineError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        let action = lifecycle.start(symbols: configuration.engine.symbols.map { Symbol($0) })
        if case .refuse(let why) = action { return completion(.failure(.invalidState(why))) }
        waiting.start = completion
        log("engine").info("starting", metadata: ["event": "engine.starting", "configuration": "\(configuration.summary)"])
        run(action)
    }

    /// Applies a new configuration live. Strategy switches, parameters, risk limits, rate
    /// limits and the log level apply in place. A symbols change fetches the added symbols'
    /// details first, then cancels orders on removed symbols, rebuilds the strategy for the
    /// new list (`on_switch` decides about its other orders), reconnects market data and
    /// reconciles; the REST session and order-events feed stay. Venue, credentials and
    /// account changes are refused: they need a new engine (`EngineHost` swaps it). The
    /// state directory and log format need a restart (reported in the outcome, old value kept).
    ///
    /// `completion` runs once on the engine queue: at once unless symbols were added (then
    /// after their details came back). A refusal leaves everything unchanged.
    public func apply(configuration new: CastorConfiguration,
                      completion: @escaping @Sendable (Result<ReloadOutcome, EngineError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        reload(to: new, completion: completion)
    }

    /// Engages (`on`) or releases the kill switch on behalf of `cause` (default: the
    /// operator); `reason` is the free text logged as `detail`. Engaging refuses every new
    /// order and cancels everything this session has open (`/v1/order/cancel/session` plus
    /// each known order); releasing lets the strategy place orders again.
    ///
    /// Idempotent: engaging an engaged switch changes nothing (logged, nothing cancelled
    /// again), except that a switch the configuration holds becomes held by `cause`, so the
    /// file can no longer release it. A release by anyone but the operator releases only a
    /// switch that cause itself holds (`KillSwitchCause.mayRelease`); otherwise the switch
    /// stays engaged (`risk.kill_switch_kept`). Every change is logged at critical.
    public func setKillSwitch(_ on: Bool, by cause: KillSwitchCause = .operator, reason: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        engageKillSwitch(on, cause: cause, detail: reason)
    }

    /// Who holds the kill switch engaged; nil while it is released.
    public var killSwitchHolder: KillSwitchCause? {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.risk.killSwitchEngaged ? (router.killSwitchCause ?? .operator) : nil
    }

    /// Stops the engine: the strategy is stopped, this session's orders are cancelled
    /// (`/v1/order/cancel/session`) when `cancelOpenOrders`, a final reconciliation fetches
    /// and journals the fills made meanwhile (e.g. orders that executed while being
    /// cancelled), then the journal is flushed and the feeds closed. `completion` runs once
    /// on the engine queue, by `deadline` at the latest (with `.timedOut` if cancels were
    /// still outstanding or known fills were not journaled; those orders are logged as
    /// critical, for the next start's reconciliation).
    public func shutdown(cancelOpenOrders: Bool, deadline: DispatchTime,
                         completion: @escaping @Sendable (Result<Void, EngineError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        beginShutdown(cancelOpenOrders: cancelOpenOrders, deadlineMs: engineTime(of: deadline), completion: completion)
    }

    /// `shutdown(cancelOpenOrders:deadline:completion:)` with the deadline in engine time
    /// (`EngineClock.nowMs` milliseconds), for a driver on a `ManualClock` (the backtester),
    /// whose deadline must not depend on the real clock.
    public func shutdown(cancelOpenOrders: Bool, deadlineMs: Int64,
                         completion: @escaping @Sendable (Result<Void, EngineError>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        beginShutdown(cancelOpenOrders: cancelOpenOrders, deadlineMs: deadlineMs, completion: completion)
    }

    /// After `shutdown` completed (or `start` failed): `completion` runs on the engine queue
    /// once this engine's API key sender has no signed request in flight and will never
    /// sign again, so another engine may use the same key (nonces only increase, from one
    /// source at a time); `false` if `deadline` passed first.
    public func awaitSessionRetired(deadline: DispatchTime, completion: @escaping @Sendable (Bool) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        awaitRetirement(deadline: deadline, completion: completion)
    }

    /// Liveness for the watchdog; read it from a timer on the engine queue (if the queue is
    /// stuck, that timer does not fire either, which is the point).
    public var health: EngineHealth {
        dispatchPrecondition(condition: .onQueue(queue))
        return currentHealth()
    }

    /// One line for systemd `STATUS=`: phase, strategy, feeds, open orders, fills.
    public var statusLine: String {
        dispatchPrecondition(condition: .onQueue(queue))
        return currentStatusLine()
    }

    /// True while new orders are refused by the kill switch.
    public var isKillSwitchEngaged: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.risk.killSwitchEngaged
    }

    /// The name of the running strategy, if any.
    public var strategyName: String? {
        dispatchPrecondition(condition: .onQueue(queue))
        return runner.name
    }

    /// The fills counted so far (ledger view), for status and tests.
    public var fillLedger: FillLedger {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.manager.ledger
    }

    /// This session's profit and loss per symbol (the ledger's fills; see `PnLBook`).
    public var sessionPnL: PnLBook {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.pnl
    }

    /// New orders sent this session, per symbol (resends not counted).
    public var sessionOrdersSent: [Symbol: Int] {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.ordersSent
    }

    /// Orders not yet closed, as the order manager tracks them.
    public var openOrderCount: Int {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.openOrderCount
    }

    /// The client order ids of the orders not yet closed, sorted (status and tests).
    public var openClientOrderIDs: [String] {
        dispatchPrecondition(condition: .onQueue(queue))
        return router.openClientOrderIDs
    }

    /// Reconciliations finished so far (start-up, then one per order-events connect).
    public var reconciliationsCompleted: Int {
        dispatchPrecondition(condition: .onQueue(queue))
        return reconciliation.completed
    }

    /// How many times each feed has become live (1 after start; more after reconnects).
    public var feedConnectCounts: (marketData: Int, orderEvents: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        return (connections.status.marketDataLiveCount, connections.status.orderEventsLiveCount)
    }

    // MARK: Helpers

    var now: Int64 { clock.nowMs() }

    /// The coarse phase (`lifecycle` owns it).
    var phase: EngineLifecycle.Phase { lifecycle.phase }

    /// A Dispatch deadline (the shell's API speaks Dispatch) as a time on the engine clock:
    /// the time left until it, measured from now on the engine clock (on a manual clock the
    /// deadline's remaining real time becomes manual time).
    func engineTime(of deadline: DispatchTime) -> Int64 {
        let nowNs = DispatchTime.now().uptimeNanoseconds
        let left = deadline.uptimeNanoseconds > nowNs ? (deadline.uptimeNanoseconds - nowNs) / 1_000_000 : 0
        let t = now.addingReportingOverflow(Int64(clamping: left))
        return t.overflow ? .max : t.partialValue
    }

    /// `metadata` with the line's stable `event` key (every engine log line has one).
    static func withEvent(_ event: String, _ metadata: Logger.Metadata) -> Logger.Metadata {
        var m = metadata
        m["event"] = .string(event)
        return m
    }

    func log(_ component: String) -> Logger {
        if let cached = componentLoggers[component] { return cached }
        var l = logger
        l[metadataKey: "component"] = .string(component)
        componentLoggers[component] = l
        return l
    }

    /// The order manager's settings from the configuration (`[rate_limits] maintenance_pause`).
    static func managerConfiguration(_ c: CastorConfiguration) -> OrderManager.Configuration {
        OrderManager.Configuration(retry: RetryPolicy(maintenanceHaltMs: c.rateLimits.maintenancePause.milliseconds))
    }

    /// The private group's bucket: `[rate_limits]`, but at most one request a second with
    /// whole-second nonces, since each request needs a nonce one second above the last and
    /// faster requests would run the nonces ahead of the clock (time-based keys reject a
    /// nonce 30 s ahead).
    public static func privateBucket(_ r: RateLimitConfiguration, nonceFormat: NonceFormat) -> TokenBucket {
        nonceFormat == .seconds ? bucket(min(r.privatePerSecond, 1), 1) : bucket(r.privatePerSecond, r.privateBurst)
    }

    static func bucket(_ perSecond: Double, _ burst: Int) -> TokenBucket {
        let interval = max(1, Int64((1000.0 / max(perSecond, 0.001)).rounded(.up)))
        return TokenBucket(intervalMs: interval, capacity: max(1, burst))
    }

    static func checkerLimits(_ l: RiskLimits) -> RiskCheckLimits {
        RiskCheckLimits(maxOrderNotional: l.maxOrderNotional, maxPosition: l.maxPosition,
                          maxOpenOrders: l.maxOpenOrders, priceBandBps: l.priceBandBps,
                          maxOrdersPerMinute: l.maxOrdersPerMinute)
    }

    /// Installs `[risk]` into the checker, keeping its rate window. `kill_switch = true`
    /// engages the kill switch (at a reload: logged at critical, everything cancelled);
    /// `false` releases it only if the configuration is what holds it: a switch a signal,
    /// the operator or a failure engaged stays engaged (`risk.kill_switch_kept`).
    func applyRiskConfiguration(_ r: RiskConfiguration) {
        router.risk.defaultLimits = Engine.checkerLimits(r.defaults)
        var bySymbol: [Symbol: RiskCheckLimits] = [:]
        for (name, limits) in r.overrides { bySymbol[Symbol(name)] = Engine.checkerLimits(limits) }
        router.risk.limitsBySymbol = bySymbol
        if r.engagesKillSwitch {
            // Already engaged by anyone: the configuration adds nothing (and never takes a
            // switch over from a stronger holder).
            if !router.risk.killSwitchEngaged { engageKillSwitch(true, cause: .configuration, detail: "kill_switch = true in [risk]") }
        } else if router.risk.killSwitchEngaged {
            engageKillSwitch(false, cause: .configuration, detail: "kill_switch = false in [risk]")
        }
    }
}

/// What a shutdown waits for before its next step, and that step.
struct ShutdownWait {
    enum Condition {
        /// Every order closed (cancels confirmed by events or replies).
        case noOpenOrders
        /// A reconciliation begun after the mark (counts of completed and failed ones) has
        /// ended and every order's executed amount is covered by journaled fills.
        case fillCatchUp(completed: Int, failures: Int)
    }
    let condition: Condition
    let then: () -> Void
}
