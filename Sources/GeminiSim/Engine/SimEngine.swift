import CastorCore

/// The simulator's exchange core: symbols, accounts, per-symbol order books with
/// price-time priority, holds and fees, and the event outboxes the server drains.
///
/// Pure and deterministic: no I/O, no wall clock (time comes from the injected `clock`, in
/// ms), no randomness. The same calls in the same order give the same results, ids and
/// events.
///
/// Confined to one serial queue/actor; not thread-safe. The server wraps it in an actor.
///
/// Every mutating call returns its result AND appends to `orderEvents` (per-account order
/// events, exchange order) and `marketEvents` (public trades and coalesced level changes);
/// drain them with `drainOrderEvents()` / `drainMarketEvents()`.
public final class SimEngine {
    /// Milliseconds since the epoch; read once per call.
    let clock: () -> Int64
    /// Time of the call in progress.
    var now: Int64 = 0

    public private(set) var symbols: [SimSymbol]
    var symbolIndex: [String: Int] = [:]
    var books: [SimOrderBook] = []
    /// Untriggered stop-limit orders per symbol, oldest first.
    var stops: [[SimOrderRecord]] = []
    /// Newest-last public trades per symbol, capped at `recentTradeLimit`.
    var recentTrades: [[SimPublicTrade]] = []
    /// Last trade price per symbol.
    public internal(set) var lastTradePrice: [String: ExactDecimal] = [:]

    var accounts: [SimAccount] = []
    var apiKeys: [String: Int64] = [:]
    var orders: [Int64: SimOrderRecord] = [:]
    /// Live orders (resting or waiting for their stop) per account index.
    var liveOrders: [[Int64: SimOrderRecord]] = []
    /// Accepted order ids per account index, oldest first (the ledger).
    var accountOrderIds: [[Int64]] = []
    /// Fills per account index, oldest first.
    var accountTrades: [[SimTrade]] = []
    /// Latest order id per (account, client_order_id).
    /// Every kept order carrying a client order id (ids may be reused), oldest first.
    var clientOrderIds: [ClientKey: [Int64]] = [:]

    var lastId: Int64

    public internal(set) var orderEvents: [SimOrderEvent] = []
    public internal(set) var marketEvents: [SimMarketEvent] = []
    var dirtyLevels: [LevelKey] = []
    var dirtySet: Set<LevelKey> = []
    var publishedLevels: [LevelKey: ExactDecimal] = [:]
    /// Trade prints not yet checked against stop orders: (symbol index, price).
    var pendingStopChecks: [(Int, ExactDecimal)] = []

    /// How many public trades per symbol `recentTrades(symbol:limit:)` can return.
    public let recentTradeLimit = 500

    struct ClientKey: Hashable { let account: Int64; let clientOrderId: String }
    struct LevelKey: Hashable { let symbol: Int; let side: Side; let price: ExactDecimal }

    /// - Parameters:
    ///   - symbols: tradable pairs (default: `SimSymbol.defaults`).
    ///   - firstId: ids (orders, events, trades, cancel commands) start above this; Gemini's
    ///     are large, so a large start exercises clients that parse ids as floats.
    ///   - clock: current time in ms, read once per call.
    public init(symbols: [SimSymbol] = SimSymbol.defaults, firstId: Int64 = 73_751_560_172_000_000,
                clock: @escaping () -> Int64) {
        self.symbols = []
        self.lastId = firstId
        self.clock = clock
        for symbol in symbols { addSymbol(symbol) }
    }

    // MARK: Symbols

    /// Adds a symbol (or replaces its precision/status if it exists).
    public func addSymbol(_ symbol: SimSymbol) {
        if let i = symbolIndex[symbol.symbol] { symbols[i] = symbol; return }
        symbolIndex[symbol.symbol] = symbols.count
        symbols.append(symbol)
        books.append(SimOrderBook())
        stops.append([])
        recentTrades.append([])
    }

    /// Looks a symbol up in any case (`btcusd`, `BTCUSD`).
    public func symbol(_ name: String) -> SimSymbol? {
        symbolIndex[name.uppercased()].map { symbols[$0] }
    }

    /// Changes a symbol's trading status; resting orders stay (and stay cancellable).
    public func setStatus(_ status: SimSymbolStatus, for name: String) {
        guard let i = symbolIndex[name.uppercased()] else { return }
        symbols[i].status = status
    }

    // MARK: Accounts

    /// Creates an account and returns its id.
    @discardableResult
    public func createAccount(name: String, balances: [String: ExactDecimal] = [:], makerFeeBps: Int = 10,
                              takerFeeBps: Int = 35, keepsHistory: Bool = true) -> Int64 {
        let id = Int64(accounts.count + 1)
        accounts.append(SimAccount(id: id, name: name, balances: balances, makerFeeBps: makerFeeBps,
                                   takerFeeBps: takerFeeBps, keepsHistory: keepsHistory))
        liveOrders.append([:])
        accountOrderIds.append([])
        accountTrades.append([])
        return id
    }

    /// The account, if it exists.
    public func account(_ id: Int64) -> SimAccount? {
        index(of: id).map { accounts[$0] }
    }

    /// All accounts, by id.
    public var allAccounts: [SimAccount] { accounts }

    /// Registers an API key as a session of `account`; orders it places carry the key as
    /// their `api_session`.
    public func addAPISession(_ key: String, account: Int64) {
        guard let i = index(of: account) else { return }
        apiKeys[key] = account
        if !accounts[i].apiSessions.contains(key) { accounts[i].apiSessions.append(key) }
    }

    /// The account an API key acts for.
    public func accountId(forAPIKey key: String) -> Int64? { apiKeys[key] }

    /// Adds (or with a negative amount, withdraws) funds. Returns false if the account does
    /// not exist, the available balance would go below zero, or the amount or balance is out
    /// of range (see `depositChecked`).
    @discardableResult
    public func deposit(account: Int64, currency: String, amount: ExactDecimal) -> Bool {
        if case .success = depositChecked(account: account, currency: currency, amount: amount) { return true }
        return false
    }

    /// `deposit` saying why it refused; never traps, whatever the amount.
    public func depositChecked(account: Int64, currency: String, amount: ExactDecimal) -> Result<Void, SimDepositError> {
        guard let i = index(of: account) else { return .failure(.unknownAccount("\(account)")) }
        return accounts[i].deposit(currency.uppercased(), amount: amount)
    }

    /// Changes the fee schedule; holds of orders already open keep the rate they were
    /// placed with.
    public func setFees(account: Int64, makerBps: Int, takerBps: Int) {
        guard let i = index(of: account) else { return }
        accounts[i].makerFeeBps = makerBps
        accounts[i].takerFeeBps = takerBps
    }

    func index(of account: Int64) -> Int? {
        account >= 1 && account <= Int64(accounts.count) ? Int(account - 1) : nil
    }

    func nextId() -> Int64 {
        lastId += 1
        return lastId
    }

    // MARK: Outboxes

    /// Returns and clears the pending order events.
    public func drainOrderEvents() -> [SimOrderEvent] {
        defer { orderEvents.removeAll(keepingCapacity: true) }
        return orderEvents
    }

    /// Returns and clears the pending market events.
    public func drainMarketEvents() -> [SimMarketEvent] {
        defer { marketEvents.removeAll(keepingCapacity: true) }
        return marketEvents
    }
}
