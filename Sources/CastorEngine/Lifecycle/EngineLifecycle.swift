import CastorCore

/// The engine's lifecycle as an I/O-free state machine: created → starting (an ordered list
/// of start-up steps, then waiting for both feeds and the first reconciliation) → running
/// (reloading is a state of its own) → stopping → stopped, or failed.
///
/// The engine reports what happened (`start`, `stepSucceeded`, a feed became live, …) and
/// carries out the `Action` it gets back; it never decides the next step itself. So the
/// start-up is a sequence this type owns, not a chain of callbacks, and every question the
/// engine asks about its phase ("may a reload begin?", "does a failed feed fail the start?")
/// has one answer here, tested without I/O in `EngineLifecycleTests`.
///
/// Confined to the engine queue, like the engine that owns it.
public struct EngineLifecycle: Sendable {
    /// The coarse phase, as status lines and error messages name it.
    public enum Phase: String, Sendable {
        case created, starting, running, stopping, stopped, failed
    }

    /// One step of the start-up, in the order they run.
    public enum StartupStep: Equatable, Sendable, CustomStringConvertible {
        /// Open the journal and rebuild orders, fills and intents from it (synchronous).
        case openJournal
        /// Set up the REST session: nonce source, signer, HTTP client (synchronous).
        case openSession
        /// The key's permissions (Gemini's `/v1/roles`): it must be allowed to trade.
        case roles
        /// The trading rules of one configured symbol.
        case symbolDetails(Symbol)
        /// `/v1/balances`.
        case balances
        /// Open orders and fills since the last journaled fill.
        case reconcile
        /// Connect both feeds; the step succeeds as soon as they are started, then the
        /// machine waits for both to be live and for the reconciliation after the
        /// order-events feed connected.
        case connectFeeds

        public var description: String {
            switch self {
            case .openJournal: return "journal"
            case .openSession: return "REST session"
            case .roles: return "roles"
            case .symbolDetails(let s): return "symbol details \(s)"
            case .balances: return "balances"
            case .reconcile: return "reconciliation"
            case .connectFeeds: return "feeds"
            }
        }
    }

    /// The two feeds the start waits for.
    public enum Feed: String, Sendable {
        case marketData = "market data"
        case orderEvents = "order events"
    }

    /// What the engine must do next.
    public enum Action: Equatable, Sendable {
        /// Nothing.
        case none
        /// Run this start-up step and report its outcome.
        case run(StartupStep)
        /// Both feeds are live and reconciled: the engine is running now; start the
        /// strategy (it may place orders from its `start`), then tell whoever called `start`
        /// (or report `strategyFailedToStart`).
        case startStrategy
        /// The start failed: release everything and tell whoever called `start`.
        case failStart(EngineError)
        /// While running the order-events feed failed for good: fills could go unseen, so
        /// stop placing orders (engage the kill switch).
        case engageKillSwitch(reason: String)
        /// Begin the shutdown. `wasRunning`: the strategy ran (so its orders need the
        /// cancel and the fill catch-up even if none is open now); `abandonsStart`: a start
        /// was in progress, whose caller must hear it failed.
        case beginShutdown(wasRunning: Bool, abandonsStart: Bool)
        /// The request is not valid in this phase; the detail says why.
        case refuse(String)
    }

    /// Start-up progress: the steps still to run and what the last one waits for.
    struct Startup: Sendable {
        var remaining: [StartupStep]
        var current: StartupStep?
        var marketDataLive = false
        var orderEventsLive = false
        var reconciledAfterConnect = false
        var feedsStarted = false

        var ready: Bool { feedsStarted && marketDataLive && orderEventsLive && reconciledAfterConnect }
    }

    enum State: Sendable {
        case created
        case starting(Startup)
        case running(reloading: Bool)
        case stopping
        case stopped
        case failed
    }

    private(set) var state: State = .created

    public init() {}

    /// The coarse phase.
    public var phase: Phase {
        switch state {
        case .created: return .created
        case .starting: return .starting
        case .running: return .running
        case .stopping: return .stopping
        case .stopped: return .stopped
        case .failed: return .failed
        }
    }

    /// The start-up step being run, if starting.
    public var currentStep: StartupStep? {
        if case .starting(let s) = state { return s.current }
        return nil
    }

    /// A reload is waiting for REST answers (symbol details) before it applies anything.
    public var isReloading: Bool {
        if case .running(let reloading) = state { return reloading }
        return false
    }

    /// True once the reconciliation after the order-events feed first connected has
    /// finished (start completes only then, so fills made while down are journaled first).
    public var hasReconciledAfterConnect: Bool {
        switch state {
        case .created, .failed: return false
        case .starting(let s): return s.reconciledAfterConnect
        case .running, .stopping, .stopped: return true
        }
    }

    // MARK: Start-up

    /// `start` was called: run the start-up steps for `symbols` (their details are fetched
    /// one by one, in this order).
    public mutating func start(symbols: [Symbol]) -> Action {
        guard case .created = state else { return .refuse("start called in phase \(phase.rawValue)") }
        let steps: [StartupStep] = [.openJournal, .openSession, .roles] + symbols.map { .symbolDetails($0) }
            + [.balances, .reconcile, .connectFeeds]
        var s = Startup(remaining: steps)
        let first = s.remaining.removeFirst()
        s.current = first
        state = .starting(s)
        return .run(first)
    }

    /// `step` finished well. A report for a step that is not the current one (a late
    /// answer after the start failed or was abandoned) is ignored.
    public mutating func stepSucceeded(_ step: StartupStep) -> Action {
        guard case .starting(var s) = state, s.current == step else { return .none }
        if step == .connectFeeds {
            s.feedsStarted = true
            s.current = nil
            state = .starting(s)
            return nextIfReady(&s)
        }
        guard !s.remaining.isEmpty else { return .none }
        let next = s.remaining.removeFirst()
        s.current = next
        state = .starting(s)
        return .run(next)
    }

    /// `step` failed for good (its retries ran out, or the answer forbids going on).
    public mutating func stepFailed(_ step: StartupStep, _ error: EngineError) -> Action {
        guard case .starting(let s) = state, s.current == step || (step == .connectFeeds && s.feedsStarted) else {
            return .none
        }
        state = .failed
        return .failStart(error)
    }

    /// A start-up failure not tied to the current step (e.g. a REST call of the start-up
    /// that gave up): fails the start if one is in progress.
    public mutating func startFailed(_ error: EngineError) -> Action {
        guard case .starting = state else { return .none }
        state = .failed
        return .failStart(error)
    }

    /// A feed became live (first connect or a reconnect).
    public mutating func feedLive(_ feed: Feed) -> Action {
        guard case .starting(var s) = state, s.feedsStarted || s.current == .connectFeeds else { return .none }
        switch feed {
        case .marketData: s.marketDataLive = true
        case .orderEvents: s.orderEventsLive = true
        }
        state = .starting(s)
        return nextIfReady(&s)
    }

    /// A feed stopped being live without failing for good (it is reconnecting).
    public mutating func feedLost(_ feed: Feed) {
        guard case .starting(var s) = state else { return }
        switch feed {
        case .marketData: s.marketDataLive = false
        case .orderEvents: s.orderEventsLive = false
        }
        state = .starting(s)
    }

    /// A feed gave up reconnecting.
    public mutating func feedFailed(_ feed: Feed, _ detail: String) -> Action {
        switch state {
        case .starting:
            state = .failed
            return .failStart(.feeds("\(feed.rawValue): \(detail)"))
        case .running where feed == .orderEvents:
            return .engageKillSwitch(reason: "order events feed failed: \(detail)")
        default:
            return .none
        }
    }

    /// The reconciliation run when the order-events feed delivered its first snapshot has
    /// finished. Only the first one matters to the start.
    public mutating func reconciledAfterConnect() -> Action {
        guard case .starting(var s) = state, !s.reconciledAfterConnect else { return .none }
        s.reconciledAfterConnect = true
        state = .starting(s)
        return nextIfReady(&s)
    }

    private mutating func nextIfReady(_ s: inout Startup) -> Action {
        guard s.ready, s.current == nil else { return .none }
        state = .running(reloading: false)
        return .startStrategy
    }

    /// The strategy could not be built or started: the start fails.
    public mutating func strategyFailedToStart(_ error: EngineError) -> Action {
        guard case .running = state else { return .none }
        state = .failed
        return .failStart(error)
    }

    // MARK: Reload

    /// A reload asks to begin: nil if it may, or why not.
    public func reloadRefusal() -> String? {
        switch state {
        case .running(reloading: false): return nil
        case .running(reloading: true): return "the previous reload is still fetching symbol details; send it again shortly"
        default: return "the engine is \(phase.rawValue), not running"
        }
    }

    /// The reload waits for REST answers (symbol details); no other reload may begin.
    public mutating func reloadFetching() {
        if case .running = state { state = .running(reloading: true) }
    }

    /// The reload's answers came back: true if the engine is still running, so it may apply
    /// them (false: it stopped meanwhile; the reload is refused).
    public mutating func reloadFetched() -> Bool {
        guard case .running = state else { return false }
        state = .running(reloading: false)
        return true
    }

    // MARK: Shutdown

    /// `shutdown` was called.
    public mutating func shutdownRequested() -> Action {
        switch state {
        case .stopping, .stopped: return .refuse("shutdown already \(phase.rawValue)")
        case .running:
            state = .stopping
            return .beginShutdown(wasRunning: true, abandonsStart: false)
        case .starting:
            state = .stopping
            return .beginShutdown(wasRunning: false, abandonsStart: true)
        case .created, .failed:
            state = .stopping
            return .beginShutdown(wasRunning: false, abandonsStart: false)
        }
    }

    /// The shutdown finished (journal flushed, resources released).
    public mutating func shutdownFinished() {
        if case .stopping = state { state = .stopped }
    }
}
