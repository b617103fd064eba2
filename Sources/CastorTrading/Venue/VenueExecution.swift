import CastorCore
import Dispatch

/// The engine's execution client: what it asks of an exchange, in domain types only.
///
/// An implementation owns its wire format (Gemini's REST today; the WebSocket API's order
/// entry and a backtest venue plug in here), its signing and its per-key ordering. The
/// engine's request lane decides *when* a call leaves (rate buckets, priorities, deadlines,
/// one private call in flight); the venue decides *how*.
///
/// Every completion runs on the queue it was given, exactly once. A failure says whether
/// the call may still have taken effect (`VenueFailure.mayHaveExecuted`), so the order
/// manager can look an order up before it is ever placed again.
public protocol VenueExecution: AnyObject, Sendable {
    /// Whether the key may trade (the start-up self-check).
    func permissions(on queue: DispatchQueue, completion: @escaping @Sendable (Result<VenuePermissions, VenueFailure>) -> Void)
    /// The trading rules of `symbol`.
    func symbolRules(_ symbol: Symbol, on queue: DispatchQueue,
                     completion: @escaping @Sendable (Result<VenueSymbolRules, VenueFailure>) -> Void)
    /// The account's balances.
    func balances(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[VenueBalance], VenueFailure>) -> Void)
    /// Places `order`; the answer is the order as the venue took it.
    func place(_ order: NewOrderRequest, on queue: DispatchQueue,
               completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void)
    /// Cancels one order by the venue's id; the answer is its state afterwards (a filled
    /// order comes back filled, not cancelled).
    func cancel(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void)
    /// Cancels every order this session (API key) opened, tracked or not.
    func cancelSession(on queue: DispatchQueue, completion: @escaping @Sendable (Result<SessionCancelReport, VenueFailure>) -> Void)
    /// Every order carrying `clientOrderID` (an empty list or `.orderNotFound` means none).
    func lookup(clientOrderID: ClientOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void)
    /// One order by the venue's id, with its fills.
    func lookup(orderID: VenueOrderID, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void)
    /// The account's open orders.
    func openOrders(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[OrderSnapshot], VenueFailure>) -> Void)
    /// Own fills in `symbol` at or after `sinceMs`, at most `limit`.
    func trades(_ symbol: Symbol, sinceMs: Int64, limit: Int, on queue: DispatchQueue,
                completion: @escaping @Sendable (Result<[TradeReport], VenueFailure>) -> Void)
    /// Keeps a session that requires heartbeats alive.
    func heartbeat(on queue: DispatchQueue, completion: @escaping @Sendable (Result<Void, VenueFailure>) -> Void)
    /// Stops signing: queued calls fail unsent, and `completion` runs once no signed call
    /// is in flight any more, so another engine may take over the key. Idempotent.
    func retire(on queue: DispatchQueue, completion: @escaping @Sendable () -> Void)
}

/// What the key may do.
public struct VenuePermissions: Sendable, Hashable {
    /// May place and cancel orders.
    public var canTrade: Bool
    /// May move funds off the account (Gemini's Fund Manager role): more than a trading
    /// daemon needs, so the engine refuses such a key unless the operator allowed it.
    public var canWithdraw: Bool
    /// Read-only (Gemini's Auditor role): it can see, never trade.
    public var isReadOnly: Bool
    /// The venue's own words for the key's roles, for the log.
    public var detail: String

    public init(canTrade: Bool, canWithdraw: Bool = false, isReadOnly: Bool = false, detail: String) {
        self.canTrade = canTrade
        self.canWithdraw = canWithdraw
        self.isReadOnly = isReadOnly
        self.detail = detail
    }
}

/// A symbol's trading rules as the venue states them.
public struct VenueSymbolRules: Sendable, Hashable {
    public var symbol: Symbol
    /// Upper-case currency codes, e.g. `BTC` and `USD`.
    public var base: String
    public var quote: String
    public var priceStep: ExactDecimal
    public var quantityStep: ExactDecimal
    public var minOrderSize: ExactDecimal
    /// Accepting orders of every kind.
    public var isOpen: Bool
    /// The venue's status word (`open`, `closed`, `cancel_only`, …), for messages.
    public var status: String

    public init(symbol: Symbol, base: String, quote: String, priceStep: ExactDecimal, quantityStep: ExactDecimal,
                minOrderSize: ExactDecimal, isOpen: Bool, status: String) {
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.priceStep = priceStep
        self.quantityStep = quantityStep
        self.minOrderSize = minOrderSize
        self.isOpen = isOpen
        self.status = status
    }
}

/// One currency's balance; `available` excludes what open orders hold.
public struct VenueBalance: Sendable, Hashable {
    /// Upper-case currency code.
    public var currency: String
    public var available: ExactDecimal
    public var total: ExactDecimal

    public init(currency: String, available: ExactDecimal, total: ExactDecimal) {
        self.currency = currency
        self.available = available
        self.total = total
    }
}

/// One currency's balance as the venue pushed it on a stream (the new API's
/// `balanceUpdate`): absolute amounts, not a delta.
public struct VenueBalanceChange: Sendable, Hashable {
    /// Upper-case currency code.
    public var currency: String
    public var available: ExactDecimal
    /// Nil when the venue left it out; the last known total stands.
    public var total: ExactDecimal?

    public init(currency: String, available: ExactDecimal, total: ExactDecimal?) {
        self.currency = currency
        self.available = available
        self.total = total
    }
}

/// The answer to a session cancel: which orders went, which the venue would not cancel.
public struct SessionCancelReport: Sendable, Hashable, CustomStringConvertible {
    public var cancelled: [VenueOrderID]
    public var rejected: [VenueOrderID]

    public init(cancelled: [VenueOrderID], rejected: [VenueOrderID]) {
        self.cancelled = cancelled
        self.rejected = rejected
    }

    public var description: String { "\(cancelled.count) cancelled, \(rejected.count) refused" }
}
