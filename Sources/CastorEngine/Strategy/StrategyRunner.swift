import CastorCore
import CastorStrategy
import Dispatch

/// Runs the engine's one strategy: which one is installed, whether it is started or
/// inside its `stop`, the callbacks waiting for delivery, and its timers.
///
/// Callbacks never nest: news produced while the strategy is inside a callback (say, a
/// rejection caused by its own `place`) is delivered after that callback returns, so a
/// strategy never sees its state change under its feet.
///
/// Confined to the engine queue: the engine calls it there and its timers fire there
/// (hence `@unchecked Sendable`, as for the engine: shared with closures, never touched
/// concurrently).
final class StrategyRunner: @unchecked Sendable {
    /// The installed strategy, if any (kept after `stop`, for its name in logs).
    private(set) var slot: StrategySlot?
    /// Callbacks are delivered only while started.
    private(set) var isStarted = false
    /// True while the strategy's `stop(context:)` runs: its open orders are the engine's to
    /// dispose of then (`cancel_on_shutdown`, `on_switch`), so its cancels and orders are
    /// ignored.
    private(set) var isStopping = false
    private var pending: [StrategyEvent] = []
    private var delivering = false
    private var timers: [String: ScheduledTimer] = [:]
    private let queue: DispatchQueue
    private let clock: EngineClock
    /// Factories added to the built-ins (tests, embedders); they win over a plug-in.
    let extraFactories: [any StrategyFactory]
    /// What every callback gets; set once by the engine that owns this runner (the
    /// context points back at the engine, so it cannot be made before it).
    var context: EngineStrategyContext!

    init(queue: DispatchQueue, clock: EngineClock, extraFactories: [any StrategyFactory]) {
        self.queue = queue
        self.clock = clock
        self.extraFactories = extraFactories
    }

    deinit {
        // An abrupt stop: timers must not fire into a dead engine.
        for t in timers.values { t.cancel() }
    }

    /// The installed strategy's name, if any.
    var name: String? { slot?.name }

    /// Installs `slot` and starts it.
    func install(_ slot: StrategySlot) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.slot = slot
        isStarted = true
        withCall { slot.instance.start(context: $0) }
    }

    /// Stops the running strategy: no more callbacks, timers disarmed. Returns the stopped
    /// slot, nil if none was running.
    @discardableResult
    func stop() -> StrategySlot? {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let slot, isStarted else { return nil }
        isStopping = true
        withCall { slot.instance.stop(context: $0) }
        isStopping = false
        isStarted = false
        pending.removeAll()
        cancelAllTimers()
        return slot
    }

    /// Delivers a callback now, or queues it if the strategy is inside one.
    func deliver(_ event: StrategyEvent) {
        guard let s = slot?.instance, isStarted else { return }
        guard !delivering, pending.isEmpty else {
            pending.append(event)
            drain()
            return
        }
        // The common case (a book or trade between callbacks) skips the queue: no copy of
        // the event into and out of `pending`.
        delivering = true
        call(s, with: event)
        delivering = false
        drain()
    }

    private func drain() {
        guard !delivering, !pending.isEmpty else { return }
        delivering = true
        defer { delivering = false }
        while !pending.isEmpty {
            let e = pending.removeFirst()
            guard let s = slot?.instance, isStarted else { pending.removeAll(); break }
            call(s, with: e)
        }
    }

    private func call(_ s: any Strategy, with e: StrategyEvent) {
        switch e {
        case .book(let symbol, let view):
            TickTrace.shared.mark(.strategy)
            s.onBook(symbol: symbol, book: view, context: context)
        case .trade(let t): s.onTrade(t, context: context)
        case .update(let u): s.onOrderUpdate(u, context: context)
        case .fill(let f): s.onFill(f, context: context)
        case .timer(let id): s.onTimer(id: id, context: context)
        }
    }

    /// Runs a strategy lifecycle call (start, stop, adopt) with delivery held back until
    /// it returns.
    func withCall(_ body: (EngineStrategyContext) -> Void) {
        let wasDelivering = delivering
        delivering = true
        body(context)
        delivering = wasDelivering
        if !wasDelivering { drain() }
    }

    // MARK: Timers

    /// Arms (or re-arms) the strategy's timer `id`; it fires only for the strategy that
    /// armed it.
    func setTimer(id: String, afterMs ms: Int64) {
        timers[id]?.cancel()
        let owner = slot.map(ObjectIdentifier.init)
        timers[id] = clock.schedule(on: queue, afterMs: ms) { [weak self] in
            guard let self, self.slot.map(ObjectIdentifier.init) == owner else { return }
            self.timers[id] = nil
            self.deliver(.timer(id))
        }
    }

    func cancelTimer(id: String) {
        timers.removeValue(forKey: id)?.cancel()
    }

    func cancelAllTimers() {
        for t in timers.values { t.cancel() }
        timers.removeAll()
    }
}
