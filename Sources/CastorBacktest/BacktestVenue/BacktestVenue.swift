import CastorCore
import CastorFeeds
import CastorTrading
import Dispatch

/// The backtest's exchange behind `VenueExecution`: the engine places, cancels and looks up
/// orders here exactly as it does on Gemini, and a local fill model (`+Matching`) executes
/// them against the recorded market (`BacktestMarketData` shows it every frame).
///
/// Every call is answered after `settings.latencyMs` of engine time, by a timer on the
/// engine clock (a `ManualClock` in a backtest), never inside the engine's own call; the
/// order-events feed (`BacktestOrderEvents`) hears of acknowledgements, fills and cancels at
/// the same instant. Start-up calls (permissions, rules, balances) are answered the same way.
///
/// Invariant behind `@unchecked Sendable`: every member is used on the engine queue (the
/// engine calls it there, the run's frames and timers run there); `BacktestRun` reads the
/// figures there too.
public final class BacktestVenue: VenueExecution, @unchecked Sendable {
    /// What the venue counted.
    public struct Counters: Sendable, Hashable {
        public var placed = 0
        public var cancelled = 0
        /// Refused at go-live: a maker-or-cancel that would take, an IOC/FOK that could not fill.
        public var unfilledImmediate = 0
        public var fills = 0
        public var makerFills = 0
        public var takerFills = 0
    }

    public let settings: BacktestVenueSettings
    let queue: DispatchQueue
    let clock: EngineClock
    /// Resting orders in time priority (the fill model walks these on every frame).
    var resting: [SimulatedOrder] = []
    /// Every other order (in flight, finished), by id.
    var others: [VenueOrderID: SimulatedOrder] = [:]
    var byClientID: [String: VenueOrderID] = [:]
    /// Every execution, in order.
    public internal(set) var tradeLog: [TradeReport] = []
    public internal(set) var counters = Counters()
    /// The venue's own view of profit and loss per symbol, from its executions (the report
    /// takes the engine's; this one is sampled for the equity curve).
    public internal(set) var pnl: [Symbol: SymbolPnL] = [:]
    var nextOrderID: Int64 = 1_000_000
    var nextTradeID: Int64 = 0
    /// The market the fill model matches against: the engine's books.
    var books: MarketBooks?
    weak var orderEvents: BacktestOrderEvents?
    /// Called after each execution (engine queue): the run samples its equity curve.
    public var onFill: (@Sendable (TradeReport) -> Void)?

    public init(settings: BacktestVenueSettings, queue: DispatchQueue, clock: EngineClock) {
        self.settings = settings
        self.queue = queue
        self.clock = clock
    }

    func attach(_ feed: BacktestMarketData) { books = feed.books }
    /// The books a live feed writes (paper trading).
    func attach(books: MarketBooks) { self.books = books }
    func attach(_ feed: BacktestOrderEvents) { orderEvents = feed }

    /// Runs `work` on the engine queue one latency from now.
    private func later(_ work: @escaping @Sendable () -> Void) {
        clock.schedule(on: queue, afterMs: settings.latencyMs, work)
    }

    static let notFound = VenueFailure.exchange(
        VenueRefusal(reason: VenueReason("OrderNotFound"), classification: .orderNotFound, message: "no such order"), httpStatus: 404)

    /// The order `id`, resting or not.
    func find(_ id: VenueOrderID) -> SimulatedOrder? {
        if let o = others[id] { return o }
        return resting.first { $0.orderID == id }
    }

    /// Working orders as a fresh order-events connection's `initial` snapshot.
    func initialSnapshot() -> [OrderReport] {
        let now = clock.nowMs()
        return workingOrders().map { $0.report(.initial, at: now) }
    }

    private func workingOrders() -> [SimulatedOrder] {
        (resting + others.values.filter(\.isLive)).sorted { $0.orderID.rawValue < $1.orderID.rawValue }
    }

    func publish(_ reports: [OrderReport]) {
        guard !reports.isEmpty else { return }
        orderEvents?.publish(reports)
    }

    // MARK: VenueExecution

    public func permissions(on queue: DispatchQueue, completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void) {
        later { completion(.success(VenuePermissions(canTrade: true, detail: "backtest venue"))) }
    }

    public func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                            completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void) {
        let rules = settings.rules(symbol)
        later { completion(.success(rules)) }
    }

    public func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void) {
        var currencies = Set<String>()
        var list: [VenueBalance] = []
        for symbol in (books?.symbols ?? []) {
            let (base, quote) = BacktestVenueSettings.currencies(of: symbol)
            if currencies.insert(quote).inserted {
                list.append(VenueBalance(currency: quote, available: settings.quoteBalance, total: settings.quoteBalance))
            }
            if currencies.insert(base).inserted {
                list.append(VenueBalance(currency: base, available: settings.baseBalance, total: settings.baseBalance))
            }
        }
        let answer = list
        later { completion(.success(answer)) }
    }

    public func place(_ order: NewOrderRequest, on queue: DispatchQueue,
                      completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        dispatchPrecondition(condition: .onQueue(self.queue))
        nextOrderID += 1
        let id = VenueOrderID(nextOrderID)
        others[id] = SimulatedOrder(orderID: id, clientOrderID: order.clientOrderID.rawValue, symbol: order.symbol,
                                    side: order.side, price: order.price, amount: order.amount, option: order.option,
                                    placedMs: clock.nowMs())
        byClientID[order.clientOrderID.rawValue] = id
        counters.placed += 1
        later { [self] in goLive(id, completion: completion) }
    }

    public func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        later { [self] in
            guard let o = cancelNow(orderID) else { return completion(.failure(Self.notFound)) }
            completion(.success(o.snapshot(at: clock.nowMs())))
        }
    }

    public func cancelSession(on queue: DispatchQueue,
                              completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void) {
        later { [self] in
            let ids = workingOrders().map(\.orderID)
            for id in ids { _ = cancelNow(id) }
            completion(.success(SessionCancelReport(cancelled: ids, rejected: [])))
        }
    }

    public func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        later { [self] in
            let found = byClientID[clientOrderID.rawValue].flatMap(find)
            completion(.success(found.map { [$0.snapshot(at: clock.nowMs(), withTrades: true)] } ?? []))
        }
    }

    public func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        later { [self] in
            guard let o = find(orderID) else { return completion(.failure(Self.notFound)) }
            completion(.success(o.snapshot(at: clock.nowMs(), withTrades: true)))
        }
    }

    public func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        later { [self] in
            let now = clock.nowMs()
            completion(.success(workingOrders().map { $0.snapshot(at: now) }))
        }
    }

    public func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                       completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void) {
        later { [self] in
            var page: [TradeReport] = []
            for t in tradeLog where t.symbol == symbol && (t.timestampMs ?? 0) >= sinceMs {
                page.append(t)
                if page.count >= limit { break }
            }
            completion(.success(page))
        }
    }

    public func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void) {
        later { completion(.success(())) }
    }

    public func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        clock.schedule(on: self.queue, afterMs: 0, completion)
    }

    /// Cancels `id` now if it is working (events published); the order as it stands after.
    private func cancelNow(_ id: VenueOrderID) -> SimulatedOrder? {
        let now = clock.nowMs()
        if let i = resting.firstIndex(where: { $0.orderID == id }) {
            var o = resting.remove(at: i)
            o.phase = .cancelled(nil)
            others[id] = o
            counters.cancelled += 1
            publish([o.report(.cancelled, at: now), o.report(.closed, at: now)])
            return o
        }
        guard var o = others[id] else { return nil }
        if o.phase == .inFlight {
            // Cancelled before it went live: it never rests (its placement is answered cancelled).
            o.phase = .cancelled(nil)
            others[id] = o
            counters.cancelled += 1
        }
        return o
    }
}
