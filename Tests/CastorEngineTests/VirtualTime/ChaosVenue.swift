import CastorCore
import CastorFeeds
import CastorTrading
import Dispatch
import Synchronization

/// How often each fault strikes, as a probability per call (or per order event).
struct ChaosFaults: Sendable {
    /// A placement the venue took whose answer never came (`.timeout`).
    var placeTimeoutExecuted = 0.05
    /// A placement lost before it reached the venue (`.timeout`).
    var placeTimeoutLost = 0.05
    /// A placement refused with 429 (not taken).
    var placeRateLimited = 0.04
    /// A placement answered with a 5xx; half of these were taken nevertheless (a gateway
    /// error after the matching engine had the order).
    var place5xx = 0.05
    /// A cancel that fails: a 5xx (not done), a timeout (done) or a 429 (not done), in turn.
    var cancelFails = 0.12
    /// A lookup, open-orders or trades read answered with a 5xx.
    var queryFails = 0.04
    /// An order event lost on the feed; the adapter notices the gap at the next event or
    /// heartbeat and reconnects (as the Gemini adapter does on a `socket_sequence` gap).
    var eventLost = 0.02

    static let none = ChaosFaults(placeTimeoutExecuted: 0, placeTimeoutLost: 0, placeRateLimited: 0, place5xx: 0,
                                  cancelFails: 0, queryFails: 0, eventLost: 0)
}

/// What the chaos venue did, for the test's assertions and summary.
struct ChaosCounts: Sendable, CustomStringConvertible {
    var placeCalls = 0
    var placedOnVenue = 0
    var timeoutExecuted = 0
    var timeoutLost = 0
    var rateLimited = 0
    var serverErrorTaken = 0
    var serverErrorLost = 0
    var cancelCalls = 0
    var cancelFailed = 0
    var cancelTimedOutDone = 0
    var queryFailed = 0
    var lookups = 0
    var fills = 0
    var partialFills = 0
    var eventsLost = 0
    var eventsLostWhileDown = 0
    var disconnects = 0
    var gapReconnects = 0

    var description: String {
        "placeCalls=\(placeCalls) placedOnVenue=\(placedOnVenue) timeoutExecuted=\(timeoutExecuted) timeoutLost=\(timeoutLost) "
            + "429=\(rateLimited) 5xx(taken,lost)=\(serverErrorTaken),\(serverErrorLost) cancels=\(cancelCalls) "
            + "cancelFailed=\(cancelFailed) (timedOutButDone \(cancelTimedOutDone)) queryFailed=\(queryFailed) lookups=\(lookups) "
            + "fills=\(fills) (partial \(partialFills)) eventsLost=\(eventsLost) eventsLostWhileDown=\(eventsLostWhileDown) "
            + "disconnects=\(disconnects) gapReconnects=\(gapReconnects)"
    }
}

/// An in-memory exchange behind `VenueExecution` that misbehaves on purpose, driven by a
/// seeded generator: the virtual-time counterpart of the simulator the real chaos test runs.
///
/// It keeps every order that reached it (by client order id too, so duplicates are
/// counted, not prevented), every trade, and tells the order-events adapter
/// (`ChaosOrderEvents`) what happened; the faults are drawn per call from `faults`. A
/// counterparty (`match`) fills resting orders fully or in part.
///
/// Threading: every venue call arrives on the engine queue, and the test runs `match` and
/// `disconnectFeed` there too, so the generator is drawn in one deterministic order for a
/// seed. State sits behind a `Mutex` for the test's reads from its own thread.
final class ChaosVenue: VenueExecution {
    struct Order {
        let orderID: Int64
        let clientOrderID: String
        let symbol: Symbol
        let side: Side
        let price: ExactDecimal
        let amount: ExactDecimal
        let createdMs: Int64
        var executed: ExactDecimal = .zero
        var cancelled = false
        var trades: [TradeReport] = []

        var isLive: Bool { !cancelled && executed < amount }
        var remaining: ExactDecimal { amount - executed }
        var state: OrderSnapshot.State { cancelled ? .cancelled : (isLive ? .open : .filled) }

        func snapshot(withTrades: Bool = false) -> OrderSnapshot {
            OrderSnapshot(orderID: VenueOrderID(orderID), clientOrderID: clientOrderID, symbol: symbol, side: side, price: price,
                          originalAmount: amount, executedAmount: executed, remainingAmount: isLive ? remaining : .zero,
                          state: state, timestampMs: createdMs, trades: withTrades ? trades : nil)
        }

        func report(_ kind: OrderReport.Kind, at ms: Int64, execution: OrderReport.Execution? = nil) -> OrderReport {
            OrderReport(kind: kind, orderID: VenueOrderID(orderID), clientOrderID: clientOrderID, symbol: symbol, side: side,
                        price: price, originalAmount: amount, executedAmount: executed,
                        remainingAmount: isLive ? remaining : .zero, isLive: isLive, isCancelled: cancelled,
                        timestampMs: ms, execution: execution)
        }
    }

    private struct State {
        var rng: SeededRandom
        var faults = ChaosFaults.none
        var counts = ChaosCounts()
        var orders: [Int64: Order] = [:]
        /// Venue orders per client order id, in placement order.
        var byClientID: [String: [Int64]] = [:]
        var trades: [TradeReport] = []
        var nextOrderID: Int64 = 7_000_000
        var nextTradeID: Int64 = 90_000_000
        /// Client order ids that had two live venue orders at once.
        var doubleLive: Set<String> = []
        /// One line per venue call (and fill, disconnect, feed connect or gap), in order,
        /// each stamped with its virtual time: the run's fingerprint, equal for equal seeds.
        var journal: [String] = []
        var shutdownMark: Int?
        var placesAfterShutdown: [String] = []
        var cancelFaultTurn = 0
    }

    private let state: Mutex<State>
    private let clock: ManualClock
    private let startMs: Int64
    /// How the venue's answers (and its feed's messages) reach the engine queue, counted.
    let work: PostedWork
    /// The live order-events adapter (the engine makes a new one only at start).
    private let feed = Mutex<ChaosOrderEvents?>(nil)

    init(seed: UInt64, clock: ManualClock, work: PostedWork) {
        state = Mutex(State(rng: SeededRandom(seed: seed)))
        self.clock = clock
        self.work = work
        startMs = clock.nowMs
    }

    // MARK: Test controls and views

    var faults: ChaosFaults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    var counts: ChaosCounts { state.withLock { $0.counts } }
    var ordersPerClientID: [String: [Int64]] { state.withLock { $0.byClientID } }
    var doubleLive: Set<String> { state.withLock { $0.doubleLive } }
    var liveOrders: [Order] { state.withLock { $0.orders.values.filter(\.isLive).sorted { $0.orderID < $1.orderID } } }
    var journal: [String] { state.withLock { $0.journal } }
    var placesAfterShutdown: [String] { state.withLock { $0.placesAfterShutdown } }

    /// Every trade as "tid amount price", sorted (the ledger the engine's must equal).
    var fills: [String] { state.withLock { $0.trades.map { "\($0.tradeID) \($0.amount) \($0.price)" }.sorted() } }

    /// From now on, any placement is recorded as one made after the shutdown began.
    func markShutdown() { state.withLock { $0.shutdownMark = $0.journal.count } }

    func attach(_ adapter: ChaosOrderEvents) { feed.withLock { $0 = adapter } }

    /// A uniform draw in 0..<1 from the run's generator.
    func draw() -> Double { state.withLock { Double.random(in: 0 ..< 1, using: &$0.rng) } }

    /// The counterparty: with probability `probability`, takes one live order (chosen by the
    /// generator) fully or, one time in three, half of its remainder. On the engine queue.
    func match(probability: Double, on queue: DispatchQueue) {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = clock.nowMs
        let reports: [OrderReport] = state.withLock { s in
            guard Double.random(in: 0 ..< 1, using: &s.rng) < probability else { return [] }
            let live = s.orders.values.filter(\.isLive).map(\.orderID).sorted()
            guard let id = live.randomElement(using: &s.rng), var o = s.orders[id] else { return [] }
            var amount = o.remaining
            let partial = Int.random(in: 0 ..< 3, using: &s.rng) == 0
            if partial, let half = (amount * ExactDecimal("0.5")!).quantized(toStep: ExactDecimal("0.00001")!, rule: .down),
               half > .zero, half < amount {
                amount = half
                s.counts.partialFills += 1
            }
            s.nextTradeID += 1
            let fee = (amount * o.price * ExactDecimal("0.001")!).quantized(toStep: ExactDecimal("0.00000001")!, rule: .down) ?? .zero
            let trade = TradeReport(tradeID: s.nextTradeID, orderID: VenueOrderID(o.orderID), clientOrderID: o.clientOrderID,
                                    symbol: o.symbol, side: o.side, price: o.price, amount: amount, fee: fee,
                                    feeCurrency: "USD", isTaker: false, timestampMs: now)
            o.executed = o.executed + amount
            o.trades.append(trade)
            s.orders[id] = o
            s.trades.append(trade)
            s.counts.fills += 1
            note(&s, now, "fill \(o.clientOrderID) \(trade.tradeID) \(amount)")
            let execution = OrderReport.Execution(tradeID: String(trade.tradeID), price: o.price, amount: amount, fee: fee,
                                                  feeCurrency: "USD", isMaker: true)
            var out = [o.report(.fill, at: now, execution: execution)]
            if !o.isLive { out.append(o.report(.closed, at: now)) }
            return out
        }
        publish(reports)
    }

    /// The order-events connection drops (and the adapter reconnects by itself).
    func disconnectFeed(on queue: DispatchQueue) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let adapter = feed.withLock({ $0 }), adapter.drop(.connectionLost("chaos: connection reset")) else { return }
        let now = clock.nowMs
        state.withLock {
            $0.counts.disconnects += 1
            note(&$0, now, "disconnect")
        }
    }

    /// Reports of the live orders, as a fresh connection's `initial` snapshot.
    func initialSnapshot() -> [OrderReport] {
        let now = clock.nowMs
        return state.withLock { s in s.orders.values.filter(\.isLive).sorted { $0.orderID < $1.orderID }.map { $0.report(.initial, at: now) } }
    }

    /// Whether the feed loses this event (drawn per event).
    func losesEvent() -> Bool {
        state.withLock { s in
            guard s.faults.eventLost > 0, Double.random(in: 0 ..< 1, using: &s.rng) < s.faults.eventLost else { return false }
            s.counts.eventsLost += 1
            return true
        }
    }

    /// Appends a line to the journal (the order-events adapter's connects, gaps, stops).
    func trace(_ line: String) {
        let now = clock.nowMs
        state.withLock { note(&$0, now, line) }
    }

    func noteLostWhileDown(_ n: Int) { state.withLock { $0.counts.eventsLostWhileDown += n } }
    func noteGapReconnect() { state.withLock { $0.counts.gapReconnects += 1 } }

    private func publish(_ reports: [OrderReport]) {
        guard !reports.isEmpty else { return }
        if let adapter = feed.withLock({ $0 }) { adapter.publish(reports) } else { noteLostWhileDown(reports.count) }
    }

    // MARK: Faults

    private static func serverError(_ status: Int = 500) -> VenueFailure {
        .exchange(VenueRefusal(reason: VenueReason("System"), classification: .retryIdempotentOnly, message: "chaos: server error"),
                  httpStatus: status)
    }

    private static let rateLimited = VenueFailure.exchange(
        VenueRefusal(reason: VenueReason("RateLimited"), classification: .backOff, message: "chaos: too many requests"), httpStatus: 429)

    private static let notFound = VenueFailure.exchange(
        VenueRefusal(reason: VenueReason("OrderNotFound"), classification: .orderNotFound, message: "no such order"), httpStatus: 404)

    /// Appends a journal line stamped with the virtual time since the run began.
    private func note(_ s: inout State, _ now: Int64, _ line: String) {
        s.journal.append("+\(now - startMs) \(line)")
    }

    /// A read fails with a 5xx (drawn).
    private func readFails(_ s: inout State) -> Bool {
        guard s.faults.queryFails > 0, Double.random(in: 0 ..< 1, using: &s.rng) < s.faults.queryFails else { return false }
        s.counts.queryFailed += 1
        return true
    }

    // MARK: VenueExecution

    func permissions(on queue: DispatchQueue, completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void) {
        work.async(on: queue) { completion(.success(VenuePermissions(canTrade: true, detail: "chaos trader"))) }
    }

    func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                     completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void) {
        let rules = VenueSymbolRules(symbol: symbol, base: String(symbol.rawValue.prefix(3)), quote: "USD",
                                     priceStep: ExactDecimal("0.01")!, quantityStep: ExactDecimal("0.00001")!,
                                     minOrderSize: ExactDecimal("0.00001")!, isOpen: true, status: "open")
        work.async(on: queue) { completion(.success(rules)) }
    }

    func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void) {
        let list = [VenueBalance(currency: "USD", available: ExactDecimal(10_000_000), total: ExactDecimal(10_000_000)),
                    VenueBalance(currency: "BTC", available: ExactDecimal(1_000), total: ExactDecimal(1_000))]
        work.async(on: queue) { completion(.success(list)) }
    }

    func place(_ order: NewOrderRequest, on queue: DispatchQueue,
               completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let now = clock.nowMs
        let cid = order.clientOrderID.rawValue
        let (answer, reports, eventsFirst): (Result<OrderSnapshot, VenueFailure>, [OrderReport], Bool) = state.withLock { s in
            s.counts.placeCalls += 1
            if s.shutdownMark != nil { s.placesAfterShutdown.append(cid) }
            let f = s.faults
            let r = Double.random(in: 0 ..< 1, using: &s.rng)
            let eventsFirst = Bool.random(using: &s.rng)
            var taken = true
            var failure: VenueFailure?
            let t1 = f.placeTimeoutExecuted, t2 = t1 + f.placeTimeoutLost, t3 = t2 + f.placeRateLimited, t4 = t3 + f.place5xx
            if r < t1 {
                failure = .timeout
                s.counts.timeoutExecuted += 1
            } else if r < t2 {
                (taken, failure) = (false, .timeout)
                s.counts.timeoutLost += 1
            } else if r < t3 {
                (taken, failure) = (false, Self.rateLimited)
                s.counts.rateLimited += 1
            } else if r < t4 {
                taken = Bool.random(using: &s.rng)
                failure = Self.serverError(taken ? 502 : 500)
                if taken { s.counts.serverErrorTaken += 1 } else { s.counts.serverErrorLost += 1 }
            }
            note(&s, now, "place \(cid) \(failure.map { "\($0.code)" } ?? "ok") \(taken ? "taken" : "lost")")
            guard taken else { return (.failure(failure!), [], eventsFirst) }
            if s.byClientID[cid, default: []].contains(where: { s.orders[$0]?.isLive == true }) { s.doubleLive.insert(cid) }
            s.nextOrderID += 1
            let o = Order(orderID: s.nextOrderID, clientOrderID: cid, symbol: order.symbol, side: order.side,
                          price: order.price, amount: order.amount, createdMs: now)
            s.orders[o.orderID] = o
            s.byClientID[cid, default: []].append(o.orderID)
            s.counts.placedOnVenue += 1
            let reports = [o.report(.accepted, at: now), o.report(.booked, at: now)]
            return (failure.map { .failure($0) } ?? .success(o.snapshot()), reports, eventsFirst)
        }
        // The feed's events and the REST answer race; either may come first.
        if eventsFirst { publish(reports) }
        work.async(on: queue) { completion(answer) }
        if !eventsFirst { publish(reports) }
    }

    func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let now = clock.nowMs
        let (answer, reports): (Result<OrderSnapshot, VenueFailure>, [OrderReport]) = state.withLock { s in
            s.counts.cancelCalls += 1
            var failure: VenueFailure?
            var done = true
            if s.faults.cancelFails > 0, Double.random(in: 0 ..< 1, using: &s.rng) < s.faults.cancelFails {
                s.counts.cancelFailed += 1
                s.cancelFaultTurn += 1
                switch s.cancelFaultTurn % 3 {
                case 0: (failure, done) = (Self.serverError(), false)
                case 1:
                    (failure, done) = (.timeout, true)
                    s.counts.cancelTimedOutDone += 1
                default: (failure, done) = (Self.rateLimited, false)
                }
            }
            guard let id = Int64(orderID.description), var o = s.orders[id] else {
                note(&s, now, "cancel \(orderID) unknown")
                return (.failure(failure ?? Self.notFound), [])
            }
            note(&s, now, "cancel \(o.clientOrderID) \(failure.map { "\($0.code)" } ?? "ok") \(done ? "done" : "not done")")
            var reports: [OrderReport] = []
            if done, o.isLive {
                o.cancelled = true
                s.orders[id] = o
                reports = [o.report(.cancelled, at: now), o.report(.closed, at: now)]
            }
            // A finished order comes back as it finished (filled or cancelled).
            return (failure.map { .failure($0) } ?? .success(o.snapshot()), reports)
        }
        publish(reports)
        work.async(on: queue) { completion(answer) }
    }

    func cancelSession(on queue: DispatchQueue, completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void) {
        let now = clock.nowMs
        let (ids, reports): ([VenueOrderID], [OrderReport]) = state.withLock { s in
            note(&s, now, "cancelSession")
            var ids: [VenueOrderID] = []
            var reports: [OrderReport] = []
            for id in s.orders.keys.sorted() where s.orders[id]!.isLive {
                s.orders[id]!.cancelled = true
                let o = s.orders[id]!
                ids += VenueOrderID(String(id)).map { [$0] } ?? []
                reports += [o.report(.cancelled, at: now), o.report(.closed, at: now)]
            }
            return (ids, reports)
        }
        publish(reports)
        work.async(on: queue) { completion(.success(SessionCancelReport(cancelled: ids, rejected: []))) }
    }

    func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        let now = clock.nowMs
        let answer: Result<[OrderSnapshot], VenueFailure> = state.withLock { s in
            s.counts.lookups += 1
            if readFails(&s) {
                note(&s, now, "lookup \(clientOrderID) http_500")
                return .failure(Self.serverError())
            }
            let found = (s.byClientID[clientOrderID.rawValue] ?? []).compactMap { s.orders[$0]?.snapshot() }
            note(&s, now, "lookup \(clientOrderID) found \(found.count)")
            return .success(found)
        }
        work.async(on: queue) { completion(answer) }
    }

    func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let now = clock.nowMs
        let answer: Result<OrderSnapshot, VenueFailure> = state.withLock { s in
            s.counts.lookups += 1
            if readFails(&s) {
                note(&s, now, "status \(orderID) http_500")
                return .failure(Self.serverError())
            }
            guard let id = Int64(orderID.description), let o = s.orders[id] else {
                note(&s, now, "status \(orderID) unknown")
                return .failure(Self.notFound)
            }
            note(&s, now, "status \(o.clientOrderID)")
            return .success(o.snapshot(withTrades: true))
        }
        work.async(on: queue) { completion(answer) }
    }

    func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        let now = clock.nowMs
        let answer: Result<[OrderSnapshot], VenueFailure> = state.withLock { s in
            if readFails(&s) {
                note(&s, now, "openOrders http_500")
                return .failure(Self.serverError())
            }
            let live = s.orders.values.filter(\.isLive).sorted { $0.orderID < $1.orderID }
            note(&s, now, "openOrders \(live.count)")
            return .success(live.map { $0.snapshot() })
        }
        work.async(on: queue) { completion(answer) }
    }

    /// Trades at or after `sinceMs`, oldest first, at most `limit` (`/v1/mytrades` paged forward).
    func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void) {
        let now = clock.nowMs
        let answer: Result<[TradeReport], VenueFailure> = state.withLock { s in
            if readFails(&s) {
                note(&s, now, "trades \(symbol) since \(sinceMs - startMs) http_500")
                return .failure(Self.serverError())
            }
            let rows = s.trades.filter { $0.symbol == symbol && ($0.timestampMs ?? 0) >= sinceMs }
            note(&s, now, "trades \(symbol) since \(sinceMs - startMs) limit \(limit): \(min(limit, rows.count))")
            return .success(Array(rows.prefix(limit)))
        }
        work.async(on: queue) { completion(answer) }
    }

    func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void) {
        let now = clock.nowMs
        state.withLock { note(&$0, now, "heartbeat") }
        work.async(on: queue) { completion(.success(())) }
    }

    func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        let now = clock.nowMs
        state.withLock { note(&$0, now, "retire") }
        work.async(on: queue, completion)
    }
}
