import CastorCore
import CastorFeeds
import CastorTrading
import Dispatch
import GeminiProtocol
import MarketData
import Synchronization

/// An in-memory venue behind the engine's `VenueExecution` protocol: no socket, no
/// simulator, no wall clock. Start-up calls succeed at once; placements and lookups are
/// answered from scripts the test sets, and every call is recorded in order.
///
/// Answers are posted to the caller's queue with `async`, as a real client's would be, so
/// a test that advances a `ManualClock` sees them before the next timer runs.
final class ScriptedVenue: VenueExecution {
    enum Call: Equatable, CustomStringConvertible {
        case permissions, symbolRules(Symbol), balances, openOrders, trades(Symbol), heartbeat, cancelSession
        case place(ClientOrderID), cancel(VenueOrderID), lookupClientOrderID(ClientOrderID), lookupOrderID(VenueOrderID)

        var description: String {
            switch self {
            case .permissions: "permissions"
            case .symbolRules(let s): "symbolRules(\(s))"
            case .balances: "balances"
            case .openOrders: "openOrders"
            case .trades(let s): "trades(\(s))"
            case .heartbeat: "heartbeat"
            case .cancelSession: "cancelSession"
            case .place(let id): "place(\(id))"
            case .cancel(let id): "cancel(\(id))"
            case .lookupClientOrderID(let id): "lookup(\(id))"
            case .lookupOrderID(let id): "lookup(order \(id))"
            }
        }
    }

    /// How the next placement is answered.
    enum PlaceAnswer {
        /// Taken: the order rests, with the next order id.
        case accept
        /// Fails with `failure`; with `reachedVenue` the order was nevertheless taken.
        case fail(VenueFailure, reachedVenue: Bool)
    }

    private struct State {
        var calls: [Call] = []
        var placeAnswers: [PlaceAnswer] = []
        var resting: [ClientOrderID: OrderSnapshot] = [:]
        var nextOrderID: Int64 = 1_000
        var closedSymbols: Set<Symbol> = []
    }

    private let state = Mutex(State())

    /// Every call so far, in order.
    var calls: [Call] { state.withLock { $0.calls } }
    /// The calls that touch orders (start-up and reconciliation reads left out).
    var orderCalls: [Call] {
        calls.filter {
            switch $0 {
            case .place, .cancel, .lookupClientOrderID, .lookupOrderID, .cancelSession: true
            default: false
            }
        }
    }
    /// Orders resting on the venue, by client order id.
    var resting: [ClientOrderID: OrderSnapshot] { state.withLock { $0.resting } }

    /// Queues answers for the next placements (after these, placements are accepted).
    func scriptPlacements(_ answers: [PlaceAnswer]) { state.withLock { $0.placeAnswers += answers } }

    private func record(_ call: Call) { state.withLock { $0.calls.append(call) } }

    /// Symbols whose rules say they are closed (not trading).
    func close(_ symbol: Symbol) { _ = state.withLock { $0.closedSymbols.insert(symbol) } }

    func permissions(on queue: DispatchQueue, completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void) {
        record(.permissions)
        queue.async { completion(.success(VenuePermissions(canTrade: true, detail: "scripted trader"))) }
    }

    func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                     completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void) {
        let closed = state.withLock { s in
            s.calls.append(.symbolRules(symbol))
            return s.closedSymbols.contains(symbol)
        }
        let rules = VenueSymbolRules(symbol: symbol, base: String(symbol.rawValue.uppercased().prefix(3)), quote: "USD",
                                     priceStep: ExactDecimal("0.01")!, quantityStep: ExactDecimal("0.00000001")!,
                                     minOrderSize: ExactDecimal("0.00001")!, isOpen: !closed, status: closed ? "closed" : "open")
        queue.async { completion(.success(rules)) }
    }

    func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void) {
        record(.balances)
        let list = [VenueBalance(currency: "USD", available: ExactDecimal(100_000), total: ExactDecimal(100_000)),
                    VenueBalance(currency: "BTC", available: ExactDecimal(10), total: ExactDecimal(10))]
        queue.async { completion(.success(list)) }
    }

    func place(_ order: NewOrderRequest, on queue: DispatchQueue,
               completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let answer: Result<OrderSnapshot, VenueFailure> = state.withLock { s in
            s.calls.append(.place(order.clientOrderID))
            let script = s.placeAnswers.isEmpty ? .accept : s.placeAnswers.removeFirst()
            func take() -> OrderSnapshot {
                s.nextOrderID += 1
                let snapshot = OrderSnapshot(orderID: VenueOrderID(s.nextOrderID), clientOrderID: order.clientOrderID.rawValue,
                                             symbol: order.symbol, side: order.side, price: order.price,
                                             originalAmount: order.amount, executedAmount: .zero, remainingAmount: order.amount,
                                             options: order.option.map { [$0.rawValue] } ?? [], state: .open)
                s.resting[order.clientOrderID] = snapshot
                return snapshot
            }
            switch script {
            case .accept: return .success(take())
            case .fail(let failure, let reached):
                if reached { _ = take() }
                return .failure(failure)
            }
        }
        queue.async { completion(answer) }
    }

    func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let answer: Result<OrderSnapshot, VenueFailure> = state.withLock { s in
            s.calls.append(.cancel(orderID))
            guard let (id, o) = s.resting.first(where: { $0.value.orderID == orderID }) else {
                return .failure(.exchange(VenueRefusal(reason: VenueReason("OrderNotFound"), classification: .orderNotFound,
                                                       message: "no such order"), httpStatus: 404))
            }
            s.resting[id] = nil
            return .success(OrderSnapshot(orderID: o.orderID, clientOrderID: o.clientOrderID, symbol: o.symbol, side: o.side,
                                          price: o.price, originalAmount: o.originalAmount, executedAmount: .zero,
                                          remainingAmount: o.originalAmount, options: o.options, state: .cancelled))
        }
        queue.async { completion(answer) }
    }

    func cancelSession(on queue: DispatchQueue, completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void) {
        let ids: [VenueOrderID] = state.withLock { s in
            s.calls.append(.cancelSession)
            let ids = s.resting.values.map(\.orderID)
            s.resting.removeAll()
            return ids
        }
        queue.async { completion(.success(SessionCancelReport(cancelled: ids, rejected: []))) }
    }

    func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        let found: [OrderSnapshot] = state.withLock { s in
            s.calls.append(.lookupClientOrderID(clientOrderID))
            return s.resting[clientOrderID].map { [$0] } ?? []
        }
        queue.async { completion(.success(found)) }
    }

    func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        let found: OrderSnapshot? = state.withLock { s in
            s.calls.append(.lookupOrderID(orderID))
            return s.resting.values.first { $0.orderID == orderID }
        }
        let answer: Result<OrderSnapshot, VenueFailure> = found.map { .success($0) } ?? .failure(.exchange(
            VenueRefusal(reason: VenueReason("OrderNotFound"), classification: .orderNotFound, message: "no such order"),
            httpStatus: 404))
        queue.async { completion(answer) }
    }

    func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void) {
        let open: [OrderSnapshot] = state.withLock { s in
            s.calls.append(.openOrders)
            return Array(s.resting.values)
        }
        queue.async { completion(.success(open)) }
    }

    func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void) {
        record(.trades(symbol))
        queue.async { completion(.success([])) }
    }

    func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void) {
        record(.heartbeat)
        queue.async { completion(.success(())) }
    }

    func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void) {
        queue.async(execute: completion)
    }
}

/// A market-data feed that goes live at once with one fixed book per symbol and then says
/// nothing: enough for a strategy to quote and for risk to have a mid.
final class FixedBookFeed: MarketDataFeedAdapter, @unchecked Sendable {
    weak var delegate: (any MarketDataFeedDelegate)?
    private(set) var state: FeedConnectionState = .idle
    private let books: MarketBooks
    private let bid: ExactDecimal, ask: ExactDecimal

    init(books: MarketBooks, bid: ExactDecimal, ask: ExactDecimal) {
        (self.books, self.bid, self.ask) = (books, bid, ask)
    }

    func start() {
        state = .live
        delegate?.marketDataFeed(self, didChangeState: .live)
        for name in books.symbolNames {
            guard let id = books.id(of: name) else { continue }
            let changes = [L2Change(side: .buy, price: bid, quantity: ExactDecimal(1)),
                           L2Change(side: .sell, price: ask, quantity: ExactDecimal(1))]
            books.books.reset(id)
            changes.withUnsafeBufferPointer { books.books.l2Updates(symbol: id, changes: $0, carriesSnapshotExtras: true) }
            delegate?.marketDataFeed(self, didUpdateBook: BookIndex(gemini: id))
        }
    }

    func stop() { state = .idle }
}

/// An order-events feed that connects with an empty snapshot and stays silent (a
/// `TellingOrderEvents` nobody tells anything): the engine learns about its orders from the
/// venue's answers alone.
typealias SilentOrderEvents = TellingOrderEvents

/// An order-events feed the test speaks through: live at once with an empty snapshot, then
/// the reports (and pushed balances) it is told.
final class TellingOrderEvents: OrderEventsFeedAdapter, @unchecked Sendable {
    weak var delegate: (any OrderEventsFeedDelegate)?
    private(set) var state: FeedConnectionState = .idle

    func start() {
        state = .live
        delegate?.orderEventsFeed(self, didChangeState: .live)
        delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: [])
    }

    func tell(_ reports: [OrderReport]) { delegate?.orderEventsFeed(self, didReceive: reports) }

    /// Balances as the account socket pushes them.
    func push(_ changes: [VenueBalanceChange]) { delegate?.orderEventsFeed(self, didReceiveBalances: changes) }

    func stop() { state = .idle }
}
