import CastorCore
import GeminiProtocol

/// A Gemini trade id in canonical form (decimal digits, no leading zeros), so the
/// `trade_id` string of a `fill` event and the numeric `tid` of `/v1/mytrades` compare equal.
public struct TradeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ raw: String) {
        let trimmed = raw.drop(while: { $0 == "0" })
        if raw.allSatisfy(\.isNumber), !raw.isEmpty {
            rawValue = trimmed.isEmpty ? "0" : String(trimmed)
        } else {
            rawValue = raw
        }
    }

    public init(_ tid: Int64) { rawValue = String(tid) }

    public var description: String { rawValue }

    public static func < (a: TradeID, b: TradeID) -> Bool {
        a.rawValue.count != b.rawValue.count ? a.rawValue.count < b.rawValue.count : a.rawValue < b.rawValue
    }
}

/// Where a fill was learnt from (for logs; dedup ignores it).
public enum FillSource: String, Sendable, Hashable {
    case orderEvent, myTrades, orderStatus
}

/// One execution of one of our orders, normalised from any of its three sources.
public struct Fill: Sendable, Hashable {
    public let tradeID: TradeID
    public let orderID: String
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

    public init(tradeID: TradeID, orderID: String, clientOrderID: ClientOrderID?, symbol: Symbol, side: Side,
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
    /// Also nil when the fill's numbers are unusable (`Fill.problem`).
    public init?(event: OrderEvent, knownSide: Side? = nil) {
        guard let f = event.fill, let side = event.side ?? knownSide else { return nil }
        guard Fill.problem(price: f.price, amount: f.amount, fee: f.fee) == nil else { return nil }
        let maker: Bool? = switch f.liquidity {
        case .maker: true
        case .taker: false
        case .other: nil
        }
        self.init(tradeID: TradeID(f.tradeID), orderID: event.orderID,
                  clientOrderID: event.clientOrderID.flatMap(ClientOrderID.init),
                  symbol: event.symbol, side: side, price: f.price, amount: f.amount, fee: f.fee,
                  feeCurrency: f.feeCurrency, timestampMs: event.timestamp, isMaker: maker, source: .orderEvent)
    }

    /// A `/v1/mytrades` row (or an `include_trades` element of an order status). The
    /// symbol falls back to `knownSymbol` for old responses without one; nil when unknown.
    /// Also nil for a row that must be rejected (`Fill.rejection(of:)`).
    public init?(trade: MyTrade, knownSymbol: Symbol? = nil, source: FillSource = .myTrades) {
        guard let symbol = trade.symbol ?? knownSymbol, Fill.rejection(of: trade) == nil else { return nil }
        self.init(tradeID: TradeID(trade.tid), orderID: trade.orderID,
                  clientOrderID: trade.clientOrderID.flatMap(ClientOrderID.init), symbol: symbol,
                  side: trade.side, price: trade.price, amount: trade.amount, fee: trade.feeAmount ?? .zero,
                  feeCurrency: trade.feeCurrency, timestampMs: trade.timestampMs,
                  isMaker: trade.aggressor.map { !$0 }, source: source)
    }

    /// Why a `/v1/mytrades` row cannot become a fill (to log and count it), or nil.
    public static func rejection(of trade: MyTrade) -> String? {
        trade.rejection ?? problem(price: trade.price, amount: trade.amount, fee: trade.feeAmount ?? .zero)
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

    /// A `/v1/mytrades` row with `break: "full"` was reversed by the exchange and must
    /// not be counted (§3.6).
    public static func isFullyBroken(_ trade: MyTrade) -> Bool {
        trade.tradeBreak?.lowercased() == "full"
    }

    /// Base change of this fill: +amount for a buy, −amount for a sell.
    public var signedBase: ExactDecimal { side == .buy ? amount : -amount }
    /// Quote change before fees: −price×amount for a buy, +price×amount for a sell. Nil
    /// when the product overflows (never for a fill built from exchange data, which
    /// `Fill.problem` checked).
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
    case applied(Fill)
    /// Already counted under this trade id; ignored.
    case duplicate(TradeID)
    /// Already counted, but this copy disagrees (amount, price, side, order): ignored,
    /// and worth an alert, since one of the sources is wrong.
    ///
    /// Also returned as `conflicting(existing: fill, ignored: fill)` (the same fill twice)
    /// for a fill the ledger refuses because a running total would overflow: it is not
    /// counted, the refusal is in `FillLedger.refused`, and callers alert as for a conflict.
    /// (Check `FillLedger.refusal(of:)` first to report it precisely.)
    case conflicting(existing: Fill, ignored: Fill)
}

/// Every fill exactly once, keyed by trade id, whatever the source or arrival order, with
/// the resulting positions per symbol and the newest fill time (for `/v1/mytrades` since).
public struct FillLedger: Sendable {
    public private(set) var fills: [TradeID: Fill] = [:]
    public private(set) var positions: [Symbol: Position] = [:]
    /// Base amount executed per exchange order id, from recorded fills.
    public private(set) var executedByOrder: [String: ExactDecimal] = [:]
    /// `timestampms` of the newest fill seen: pass it as `timestamp` to `/v1/mytrades`
    /// (inclusive, so the boundary trade comes back and is deduplicated).
    public private(set) var lastFillTimestampMs: Int64?
    /// Explicit quote currency per symbol (from `/v1/symbols/details`). When a symbol has
    /// none, a fee counts as quote when the symbol ends with its currency (`BTCUSD`/`USD`).
    public var quoteCurrencies: [Symbol: String]

    public init(quoteCurrencies: [Symbol: String] = [:]) {
        self.quoteCurrencies = quoteCurrencies.mapValues { $0.uppercased() }
    }

    /// Restores a ledger from journaled fills (duplicates collapse as usual).
    public init(restoring journaled: [Fill], quoteCurrencies: [Symbol: String] = [:]) {
        self.init(quoteCurrencies: quoteCurrencies)
        for fill in journaled { record(fill) }
    }

    /// Fills refused because counting them would overflow a running total, with why. They
    /// are not in `fills` or the positions; later copies count as duplicates.
    public private(set) var refused: [TradeID: String] = [:]

    /// True for a trade id already counted (or refused).
    public func contains(_ tradeID: TradeID) -> Bool { fills[tradeID] != nil || refused[tradeID] != nil }

    public func position(_ symbol: Symbol) -> Position { positions[symbol] ?? Position() }

    public func executed(orderID: String) -> ExactDecimal { executedByOrder[orderID] ?? .zero }

    /// Counts `fill` unless its trade id was already counted.
    @discardableResult
    public mutating func record(_ fill: Fill) -> FillRecordResult {
        if let existing = fills[fill.tradeID] {
            let same = existing.amount == fill.amount && existing.price == fill.price
                && existing.side == fill.side && existing.orderID == fill.orderID && existing.symbol == fill.symbol
            return same ? .duplicate(fill.tradeID) : .conflicting(existing: existing, ignored: fill)
        }
        if refused[fill.tradeID] != nil { return .duplicate(fill.tradeID) }
        switch applying(fill) {
        case .success(let (p, executed)):
            fills[fill.tradeID] = fill
            positions[fill.symbol] = p
            executedByOrder[fill.orderID] = executed
            if let t = fill.timestampMs { lastFillTimestampMs = max(lastFillTimestampMs ?? t, t) }
            return .applied(fill)
        case .failure(let refusal):
            refused[fill.tradeID] = refusal.reason
            return .conflicting(existing: fill, ignored: fill)
        }
    }

    /// Why `record(fill)` would refuse `fill` (a running total would overflow), or nil.
    public func refusal(of fill: Fill) -> String? {
        if case .failure(let r) = applying(fill) { return r.reason }
        return nil
    }

    struct Refusal: Error { let reason: String }

    /// The symbol's position and the order's executed amount with `fill` counted, every sum
    /// checked: a fill from the exchange must never trap the process.
    private func applying(_ fill: Fill) -> Result<(Position, ExactDecimal), Refusal> {
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
            let executed = try checked(executed(orderID: fill.orderID).addingReportingOverflow(fill.amount), "executed amount")
            return .success((p, executed))
        } catch {
            return .failure(error)
        }
    }

    private func isQuote(_ currency: String, of symbol: Symbol) -> Bool {
        guard !currency.isEmpty else { return false }
        if let q = quoteCurrencies[symbol] { return q == currency }
        return symbol.rawValue.hasSuffix(currency) && symbol.rawValue.count > currency.count
    }
}
