import CastorCore

/// Where a fill was learnt from (for logs; dedup ignores it).
public enum FillSource: String, Sendable, Hashable {
    case orderEvent, myTrades, orderStatus
}

/// One execution of one of our orders, normalised from any of its three sources.
public struct LedgerFill: Sendable, Hashable {
    public let tradeID: TradeID
    public let orderID: VenueOrderID
    public let clientOrderID: ClientOrderID?
    public let symbol: Symbol
    public let side: Side
    public let price: ExactDecimal
    /// This execution's base quantity (positive).
    public let amount: ExactDecimal
    public let fee: ExactDecimal
    public let feeCurrency: String?
    /// Milliseconds since the epoch, when known.
    public let timestampMs: Int64?
    public let isMaker: Bool?
    public let source: FillSource

    public init(tradeID: TradeID, orderID: VenueOrderID, clientOrderID: ClientOrderID?, symbol: Symbol, side: Side,
                price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal, feeCurrency: String?,
                timestampMs: Int64?, isMaker: Bool?, source: FillSource) {
        self.tradeID = tradeID
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.amount = amount
        self.fee = fee
        self.feeCurrency = feeCurrency
        self.timestampMs = timestampMs
        self.isMaker = isMaker
        self.source = source
    }

    /// The fill of a `fill` order event. `side` falls back to `knownSide` (the order's)
    /// when the event omits it; nil when the event carries no fill or no side is known.
    /// Also nil when the fill's numbers are unusable (`LedgerFill.problem`).
    public init?(event: OrderReport, knownSide: Side? = nil) {
        guard let f = event.execution, let side = event.side ?? knownSide else { return nil }
        guard LedgerFill.problem(price: f.price, amount: f.amount, fee: f.fee) == nil else { return nil }
        self.init(tradeID: TradeID(f.tradeID), orderID: event.orderID,
                  clientOrderID: event.clientOrderID.flatMap(ClientOrderID.init),
                  symbol: event.symbol, side: side, price: f.price, amount: f.amount, fee: f.fee,
                  feeCurrency: f.feeCurrency, timestampMs: event.timestampMs, isMaker: f.isMaker, source: .orderEvent)
    }

    /// A `/v1/mytrades` row (or an `include_trades` element of an order status). The
    /// symbol falls back to `knownSymbol` for old responses without one; nil when unknown.
    /// Also nil for a row that must be rejected (`LedgerFill.rejection(of:)`).
    public init?(trade: TradeReport, knownSymbol: Symbol? = nil, source: FillSource = .myTrades) {
        guard let symbol = trade.symbol ?? knownSymbol, LedgerFill.rejection(of: trade) == nil else { return nil }
        self.init(tradeID: TradeID(trade.tradeID), orderID: trade.orderID,
                  clientOrderID: trade.clientOrderID.flatMap(ClientOrderID.init), symbol: symbol,
                  side: trade.side, price: trade.price, amount: trade.amount, fee: trade.fee ?? .zero,
                  feeCurrency: trade.feeCurrency, timestampMs: trade.timestampMs,
                  isMaker: trade.isTaker.map { !$0 }, source: source)
    }

    /// Why a `/v1/mytrades` row cannot become a fill (to log and count it), or nil.
    public static func rejection(of trade: TradeReport) -> String? {
        trade.rejection ?? problem(price: trade.price, amount: trade.amount, fee: trade.fee ?? .zero)
    }

    /// Why numbers from the exchange cannot make a fill, or nil: the amount must be
    /// positive, the price not negative, the fee negatable, and price × amount exact
    /// (`signedQuote` must never overflow).
    public static func problem(price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal) -> String? {
        if !amount.isPositive { return "amount \(amount) is not positive" }
        if price.isNegative { return "price \(price) is negative" }
        if fee.negatedReportingOverflow == nil { return "fee \(fee) out of range" }
        guard let notional = price.multipliedReportingOverflow(by: amount), notional.negatedReportingOverflow != nil else {
            return "price \(price) × amount \(amount) overflows"
        }
        return nil
    }

    /// Base change of this fill: +amount for a buy, −amount for a sell.
    public var signedBase: ExactDecimal { side == .buy ? amount : -amount }
    /// Quote change before fees: −price×amount for a buy, +price×amount for a sell. Nil
    /// when the product overflows (never for a fill built from exchange data, which
    /// `LedgerFill.problem` checked).
    public var signedQuoteReportingOverflow: ExactDecimal? {
        guard let q = price.multipliedReportingOverflow(by: amount) else { return nil }
        return side == .buy ? q.negatedReportingOverflow : q
    }
    /// `signedQuoteReportingOverflow`, trapping on overflow (for fills built in code).
    public var signedQuote: ExactDecimal { side == .buy ? -(price * amount) : price * amount }
}

/// The running position in one symbol, from our fills only.
public struct Position: Sendable, Hashable {
    /// Signed base amount: bought minus sold.
    public internal(set) var base: ExactDecimal = .zero
    /// Quote cash flow including fees paid in the quote currency: sells minus buys minus fees.
    public internal(set) var quoteCash: ExactDecimal = .zero
    /// Fees paid in the quote currency (already inside `quoteCash`).
    public internal(set) var quoteFees: ExactDecimal = .zero
    /// Fees paid in any other currency, by currency (upper-case); not in `quoteCash`.
    public internal(set) var otherFees: [String: ExactDecimal] = [:]
    public internal(set) var fillCount: Int = 0

    public init() {}
}

/// What `FillLedger.record` did with a fill.
public enum FillRecordResult: Sendable, Hashable {
    /// First sighting: counted in the position.
    case applied(LedgerFill)
    /// Already counted under this trade id; ignored.
    case duplicate(TradeID)
    /// Already counted, but this copy disagrees (amount, price, side, order): ignored,
    /// and worth an alert, since one of the sources is wrong.
    ///
    /// Also returned as `conflicting(existing: fill, ignored: fill)` (the same fill twice)
    /// for a fill the ledger refuses because a running total would overflow: it is not
    /// counted, the refusal is in `FillLedger.refused`, and callers alert as for a conflict.
    /// (Check `FillLedger.refusal(of:)` first to report it precisely.)
    case conflicting(existing: LedgerFill, ignored: LedgerFill)
}

/// Where a ledger that keeps only its recent trade ids in memory (`FillRetention`) finds the
/// older ones: in practice the journal, whose primary key on the trade id holds every fill
/// ever counted. Calls are synchronous, from whoever owns the ledger.
public protocol FillArchive: Sendable {
    /// True when a fill with this trade id was counted (journaled) before.
    func containsFill(_ tradeID: TradeID) -> Bool
    /// The sum of the amounts of the order's archived fills, leaving out `excluding`.
    func executedAmount(orderID: VenueOrderID, excluding: TradeID?) -> ExactDecimal
}

/// How much per-trade state a `FillLedger` keeps in memory.
///
/// Without a retention the ledger keeps every fill it ever counted (tests, short runs).
/// With one it keeps, per symbol, the fills at or after that symbol's newest fill time minus
/// `windowMs`, and never more than `maxFills` in all: memory does not grow with history.
/// What the window forgets, the `archive` answers: `contains` and `record` ask it about a
/// trade id not in memory, so a fill counted long ago is still never counted twice, even if
/// reconciliation's catch-up reaches back before the window (it starts at the symbol's last
/// fill, and only goes earlier for an order whose reported execution exceeds its fills).
/// The window only decides how often the archive is asked; correctness never depends on it.
public struct FillRetention: Sendable {
    /// Fills this much older than their symbol's newest fill leave memory.
    public var windowMs: Int64
    /// Hard bound on the fills kept in memory, whatever their times (a burst of fills).
    public var maxFills: Int
    /// Where forgotten trade ids are looked up.
    public var archive: any FillArchive

    public init(windowMs: Int64, maxFills: Int, archive: any FillArchive) {
        self.windowMs = max(0, windowMs)
        self.maxFills = max(1, maxFills)
        self.archive = archive
    }
}

/// What the archived fills of one symbol add up to: the ledger's starting point when it is
/// restored from totals instead of from every fill.
public struct FillTotals: Sendable, Hashable {
    /// Net base: buys minus sells.
    public var base: ExactDecimal
    /// Net quote cash flow excluding every fee: sell notional minus buy notional.
    public var quoteExcludingFees: ExactDecimal
    /// Fees paid, by currency (any case).
    public var fees: [String: ExactDecimal]
    public var fillCount: Int

    public init(base: ExactDecimal, quoteExcludingFees: ExactDecimal, fees: [String: ExactDecimal], fillCount: Int) {
        self.base = base
        self.quoteExcludingFees = quoteExcludingFees
        self.fees = fees
        self.fillCount = fillCount
    }
}

/// Every fill exactly once, keyed by trade id, whatever the source or arrival order, with
/// the resulting positions per symbol and the newest fill time (for `/v1/mytrades` since).
public struct FillLedger: Sendable {
    /// The fills in memory: every fill counted when the ledger has no `retention`, else the
    /// recent ones (see `FillRetention`); each symbol's newest fill is always among them.
    public private(set) var fills: [TradeID: LedgerFill] = [:]
    public private(set) var positions: [Symbol: Position] = [:]
    /// Base amount executed per exchange order id, from the fills in memory; with a
    /// retention an order missing here is summed from the archive (`executed(orderID:)`).
    public private(set) var executedByOrder: [VenueOrderID: ExactDecimal] = [:]
    /// `timestampms` of the newest fill seen: pass it as `timestamp` to `/v1/mytrades`
    /// (inclusive, so the boundary trade comes back and is deduplicated).
    public private(set) var lastFillTimestampMs: Int64?
    /// Explicit quote currency per symbol (from `/v1/symbols/details`). When a symbol has
    /// none, a fee counts as quote when the symbol ends with its currency (`BTCUSD`/`USD`).
    public var quoteCurrencies: [Symbol: String]
    /// Nil: keep every fill in memory. Else the bound and the archive behind it.
    public let retention: FillRetention?
    /// Newest fill time per symbol (the window's anchor).
    private var newestBySymbol: [Symbol: Int64] = [:]
    /// When `fills` next gets pruned (amortises the sweep).
    private var pruneAt = FillLedger.minimumPruneAt
    private static let minimumPruneAt = 1_024

    public init(quoteCurrencies: [Symbol: String] = [:], retention: FillRetention? = nil) {
        self.quoteCurrencies = quoteCurrencies.mapValues { $0.uppercased() }
        self.retention = retention
    }

    /// Restores a ledger from journaled fills (duplicates collapse as usual).
    public init(restoring journaled: [LedgerFill], quoteCurrencies: [Symbol: String] = [:]) {
        self.init(quoteCurrencies: quoteCurrencies)
        for fill in journaled { record(fill) }
    }

    /// Restores a ledger from per-symbol totals of the archived fills plus the recent fills
    /// themselves (already inside the totals, so not counted again): what start-up does
    /// instead of replaying the whole history. `recent` must hold each symbol's newest fills
    /// (e.g. those within `retention.windowMs` of its last fill).
    public init(totals: [Symbol: FillTotals], recent: [LedgerFill], lastFillTimestampMs: Int64?,
                retention: FillRetention, quoteCurrencies: [Symbol: String] = [:]) {
        self.init(quoteCurrencies: quoteCurrencies, retention: retention)
        for (symbol, t) in totals {
            var p = Position()
            p.base = t.base
            p.quoteCash = t.quoteExcludingFees
            for (rawCurrency, fee) in t.fees where !fee.isZero {
                // The same split as `applying`; a total that would overflow here is left out
                // of quote cash and kept under its currency instead (never a trap).
                let currency = rawCurrency.uppercased()
                if isQuote(currency, of: symbol), let cash = p.quoteCash.subtractingReportingOverflow(fee),
                   let quoteFees = p.quoteFees.addingReportingOverflow(fee) {
                    p.quoteCash = cash
                    p.quoteFees = quoteFees
                } else {
                    p.otherFees[currency] = fee
                }
            }
            p.fillCount = t.fillCount
            positions[symbol] = p
        }
        // executedByOrder stays empty: an order's older fills may lie outside `recent`, so
        // its exact total comes from the archive when asked.
        for fill in recent {
            fills[fill.tradeID] = fill
            if let t = fill.timestampMs { newestBySymbol[fill.symbol] = max(newestBySymbol[fill.symbol] ?? t, t) }
        }
        self.lastFillTimestampMs = lastFillTimestampMs
        pruneIfNeeded()
    }

    /// Fills refused because counting them would overflow a running total, with why. They
    /// are not in `fills` or the positions; later copies count as duplicates.
    public private(set) var refused: [TradeID: String] = [:]
    /// The most refused trade ids remembered.
    public static let maxRefused = 10_000

    /// True for a trade id already counted (or refused); with a retention, also for one
    /// counted long ago and since forgotten from memory (the archive answers).
    public func contains(_ tradeID: TradeID) -> Bool {
        fills[tradeID] != nil || refused[tradeID] != nil || (retention?.archive.containsFill(tradeID) ?? false)
    }

    public func position(_ symbol: Symbol) -> Position { positions[symbol] ?? Position() }

    /// Base amount executed by the exchange order, from its counted fills.
    public func executed(orderID: VenueOrderID) -> ExactDecimal { executed(orderID: orderID, excluding: nil) }

    private func executed(orderID: VenueOrderID, excluding: TradeID?) -> ExactDecimal {
        if let known = executedByOrder[orderID] { return known }
        return retention?.archive.executedAmount(orderID: orderID, excluding: excluding) ?? .zero
    }

    /// Counts `fill` unless its trade id was already counted.
    ///
    /// A fill found only in the archive is a `.duplicate`: its details are no longer in
    /// memory to compare, and the archive's copy is the one that was counted.
    @discardableResult
    public mutating func record(_ fill: LedgerFill) -> FillRecordResult {
        if let existing = fills[fill.tradeID] {
            let same = existing.amount == fill.amount && existing.price == fill.price
                && existing.side == fill.side && existing.orderID == fill.orderID && existing.symbol == fill.symbol
            return same ? .duplicate(fill.tradeID) : .conflicting(existing: existing, ignored: fill)
        }
        if refused[fill.tradeID] != nil { return .duplicate(fill.tradeID) }
        if let retention, retention.archive.containsFill(fill.tradeID) { return .duplicate(fill.tradeID) }
        switch applying(fill) {
        case .success(let (p, executed)):
            fills[fill.tradeID] = fill
            positions[fill.symbol] = p
            executedByOrder[fill.orderID] = executed
            if let t = fill.timestampMs {
                lastFillTimestampMs = max(lastFillTimestampMs ?? t, t)
                newestBySymbol[fill.symbol] = max(newestBySymbol[fill.symbol] ?? t, t)
            }
            pruneIfNeeded()
            return .applied(fill)
        case .failure(let refusal):
            // Bounded: past this many, a refused trade seen again is refused (and alerted) again.
            if refused.count < Self.maxRefused { refused[fill.tradeID] = refusal.reason }
            return .conflicting(existing: fill, ignored: fill)
        }
    }

    /// With a retention, drops from memory the fills older than their symbol's window and,
    /// past `maxFills`, the oldest others (never a symbol's newest fill, which
    /// `/v1/mytrades` catch-up starts from), then the per-order sums of orders with no fill
    /// left in memory (the archive has them). Runs when `fills` outgrows `pruneAt`, which
    /// doubles with what survives, so the sweep costs O(1) amortised per fill; `fills.count`
    /// never exceeds `maxFills` after a `record`.
    private mutating func pruneIfNeeded() {
        guard let retention, fills.count > min(pruneAt, retention.maxFills) else { return }
        // A fill without a time is dated by the newest known time of its symbol (kept for one
        // window from when it was seen, roughly).
        let newestBySymbol = self.newestBySymbol, last = lastFillTimestampMs ?? 0, windowMs = retention.windowMs
        func time(_ f: LedgerFill) -> Int64 { f.timestampMs ?? newestBySymbol[f.symbol] ?? last }
        func horizon(_ s: Symbol) -> Int64 {
            let newest = newestBySymbol[s] ?? last
            return newest.subtractingReportingOverflow(windowMs).overflow ? Int64.min : newest - windowMs
        }
        fills = fills.filter { time($0.value) >= horizon($0.value.symbol) }
        if fills.count > retention.maxFills {
            let target = max(1, retention.maxFills * 3 / 4)
            var newest: [Symbol: (time: Int64, id: TradeID)] = [:]
            for f in fills.values {
                let t = time(f)
                if let n = newest[f.symbol], (n.time, n.id) >= (t, f.tradeID) { continue }
                newest[f.symbol] = (t, f.tradeID)
            }
            let keep = Set(newest.values.map(\.id))
            let oldestFirst = fills.values.filter { !keep.contains($0.tradeID) }
                .sorted { (time($0), $0.tradeID) < (time($1), $1.tradeID) }
            for f in oldestFirst.prefix(max(0, fills.count - target)) { fills[f.tradeID] = nil }
        }
        let liveOrders = Set(fills.values.map(\.orderID))
        executedByOrder = executedByOrder.filter { liveOrders.contains($0.key) }
        pruneAt = max(FillLedger.minimumPruneAt, fills.count * 2)
    }

    /// Why `record(fill)` would refuse `fill` (a running total would overflow), or nil.
    public func refusal(of fill: LedgerFill) -> String? {
        if case .failure(let r) = applying(fill) { return r.reason }
        return nil
    }

    struct Refusal: Error { let reason: String }

    /// The symbol's position and the order's executed amount with `fill` counted, every sum
    /// checked: a fill from the exchange must never trap the process.
    private func applying(_ fill: LedgerFill) -> Result<(Position, ExactDecimal), Refusal> {
        func checked(_ value: ExactDecimal?, _ what: String) throws(Refusal) -> ExactDecimal {
            guard let value else { throw Refusal(reason: "trade \(fill.tradeID): \(what) overflows") }
            return value
        }
        do throws(Refusal) {
            var p = positions[fill.symbol] ?? Position()
            let signedBase = fill.side == .buy ? fill.amount : fill.amount.negatedReportingOverflow
            p.base = try checked(signedBase.flatMap(p.base.addingReportingOverflow), "base position")
            p.quoteCash = try checked(fill.signedQuoteReportingOverflow.flatMap(p.quoteCash.addingReportingOverflow), "quote cash")
            if !fill.fee.isZero {
                let currency = (fill.feeCurrency ?? "").uppercased()
                if isQuote(currency, of: fill.symbol) {
                    p.quoteCash = try checked(p.quoteCash.subtractingReportingOverflow(fill.fee), "quote cash")
                    p.quoteFees = try checked(p.quoteFees.addingReportingOverflow(fill.fee), "quote fees")
                } else {
                    p.otherFees[currency] = try checked((p.otherFees[currency] ?? .zero).addingReportingOverflow(fill.fee), "\(currency) fees")
                }
            }
            p.fillCount += 1
            let executed = try checked(executed(orderID: fill.orderID, excluding: fill.tradeID).addingReportingOverflow(fill.amount), "executed amount")
            return .success((p, executed))
        } catch {
            return .failure(error)
        }
    }

    /// Whether a fee in `currency` is paid in `symbol`'s quote currency.
    public func isQuote(_ currency: String, of symbol: Symbol) -> Bool {
        guard !currency.isEmpty else { return false }
        if let q = quoteCurrencies[symbol] { return q == currency }
        return symbol.rawValue.hasSuffix(currency) && symbol.rawValue.count > currency.count
    }
}
