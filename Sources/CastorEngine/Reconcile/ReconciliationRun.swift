import CastorCore
import CastorTrading

/// One reconciliation's venue reads, as an I/O-free state machine: the open orders (unless
/// the order-events snapshot brought them), then each symbol's own trades since its
/// catch-up point, page by page, then the plan to apply. `ReconciliationDriver` carries out
/// each `Step` and feeds the answer back; `ReconciliationRunTests` drive it without a venue.
///
/// Which orders the open list can speak for (`settled`) is fixed when the reconciliation is
/// requested, so an order placed while the list is taken is never counted as vanished (see
/// `ReconciliationInput.racingSnapshot`).
struct ReconciliationRun {
    /// The next venue read, or the end.
    enum Step: Equatable {
        /// `/v1/orders`: every open order of the account.
        case fetchOpenOrders
        /// One page of `symbol`'s own trades from `sinceMs` on, at most `limit` rows.
        case fetchTrades(Symbol, sinceMs: Int64, limit: Int)
        /// Everything is in: plan against the local state and apply.
        case apply(Fetched)
    }

    /// What the venue said, for `Reconciler.plan`.
    struct Fetched: Equatable {
        let open: [OpenOrderReport]
        let trades: [Symbol: [TradeReport]]
        let settled: Set<ClientOrderID>
    }

    /// A full page of trades brought nothing new: more than a page of trades share one
    /// millisecond and `/v1/mytrades` cannot page past them, so fills after them may be
    /// missing. The run goes on with what it has; the driver logs it as critical.
    struct StuckPage: Equatable {
        let symbol: Symbol
        let sinceMs: Int64
        let pageSize: Int
    }

    /// Most `/v1/mytrades` rows asked for at once (Gemini's maximum).
    static let defaultPageSize = 500

    let trigger: ReconcileTrigger
    let settled: Set<ClientOrderID>
    let pageSize: Int
    private var open: [OpenOrderReport]?
    /// Symbols whose trades are still to fetch; read when the open list is in, as the
    /// running configuration has them then.
    private var remaining: [Symbol] = []
    private var page: (symbol: Symbol, sinceMs: Int64, collected: [TradeReport])?
    private var trades: [Symbol: [TradeReport]] = [:]

    /// A run for `trigger`; `snapshot` is the order-events feed's active orders, if it
    /// brought them (then `/v1/orders` is not asked).
    init(trigger: ReconcileTrigger, snapshot: [OrderReport]?, settled: Set<ClientOrderID>,
         pageSize: Int = ReconciliationRun.defaultPageSize) {
        self.trigger = trigger
        self.settled = settled
        self.pageSize = max(1, pageSize)
        open = snapshot.map { $0.map(OpenOrderReport.event) }
    }

    /// The first step. `symbols` and `catchUp` are consulted only if the open orders are
    /// known already (a snapshot), as in `openOrdersFetched`.
    mutating func start(symbols: @autoclosure () -> [Symbol], catchUp: (Symbol) -> Int64) -> Step {
        guard open != nil else { return .fetchOpenOrders }
        remaining = symbols()
        return nextSymbol(catchUp)
    }

    /// `/v1/orders` answered: the trades come next, for the symbols configured now.
    /// `catchUp` gives a symbol's starting point when its first page is asked for (late, so
    /// fills counted meanwhile move it on).
    mutating func openOrdersFetched(_ orders: [OrderSnapshot], symbols: [Symbol], catchUp: (Symbol) -> Int64) -> Step {
        open = orders.map { .status($0) }
        remaining = symbols
        return nextSymbol(catchUp)
    }

    /// A page of the current symbol's trades came back. Same-millisecond trades may
    /// straddle pages, so the next page starts at the newest time seen (not after it) and
    /// rows already collected are dropped by trade id.
    mutating func tradesFetched(_ rows: [TradeReport], catchUp: (Symbol) -> Int64) -> (next: Step, stuck: StuckPage?) {
        guard let current = page else { return (nextSymbol(catchUp), nil) }
        let known = Set(current.collected.map(\.tradeID))
        let fresh = rows.filter { !known.contains($0.tradeID) }
        let all = current.collected + fresh
        let full = rows.count >= pageSize
        if full, !fresh.isEmpty, let newest = rows.compactMap(\.timestampMs).max(), newest >= current.sinceMs {
            page = (current.symbol, newest, all)
            return (.fetchTrades(current.symbol, sinceMs: newest, limit: pageSize), nil)
        }
        let stuck = full && fresh.isEmpty
            ? StuckPage(symbol: current.symbol, sinceMs: current.sinceMs, pageSize: pageSize) : nil
        trades[current.symbol] = all
        page = nil
        return (nextSymbol(catchUp), stuck)
    }

    /// The step a failure happened in, for the log.
    var currentRead: (step: String, symbol: Symbol?) {
        if let page { return ("trades", page.symbol) }
        return open == nil ? ("open_orders", nil) : ("apply", nil)
    }

    private mutating func nextSymbol(_ catchUp: (Symbol) -> Int64) -> Step {
        guard !remaining.isEmpty else {
            return .apply(Fetched(open: open ?? [], trades: trades, settled: settled))
        }
        let symbol = remaining.removeFirst()
        let since = catchUp(symbol)
        page = (symbol, since, [])
        return .fetchTrades(symbol, sinceMs: since, limit: pageSize)
    }
}
