import CastorCore

extension SimEngine {
    /// `POST /v1/order/status` by `order_id`. Throws `OrderNotFound` (404) for an unknown
    /// order or another account's.
    public func orderStatus(orderId: Int64, account: Int64, includeTrades: Bool = false) throws(SimError) -> SimOrderSnapshot {
        guard let order = orders[orderId], order.accountId == account else { throw .orderNotFound(String(orderId)) }
        return order.snapshot(includeTrades: includeTrades)
    }

    /// `POST /v1/order/status` by `client_order_id`: the account's most recent order with it.
    public func orderStatus(clientOrderId: String, account: Int64, includeTrades: Bool = false) throws(SimError) -> SimOrderSnapshot {
        guard let last = try orders(clientOrderId: clientOrderId, account: account, includeTrades: includeTrades).last else {
            throw .orderNotFound(clientOrderId)
        }
        return last
    }

    /// Every order of the account that carries `clientOrderId`, oldest first: what Gemini
    /// answers to `/v1/order/status` by client order id (an array; ids may be reused).
    /// Throws `OrderNotFound` when there is none.
    public func orders(clientOrderId: String, account: Int64, includeTrades: Bool = false) throws(SimError) -> [SimOrderSnapshot] {
        let found = (clientOrderIds[ClientKey(account: account, clientOrderId: clientOrderId)] ?? [])
            .compactMap { orders[$0] }.filter { $0.accountId == account }
        guard !found.isEmpty else { throw .orderNotFound(clientOrderId) }
        return found.map { $0.snapshot(includeTrades: includeTrades) }
    }

    /// `POST /v1/orders`: live orders (resting or waiting for a stop), oldest first.
    public func activeOrders(account: Int64) -> [SimOrderSnapshot] {
        guard let ai = index(of: account) else { return [] }
        return liveOrders[ai].values.sorted { $0.id < $1.id }.map { $0.snapshot() }
    }

    /// `POST /v1/mytrades`: the OLDEST `limit` fills at or after `sinceMs` (optionally for
    /// one symbol), listed newest first (Gemini: default 50, max 500). That is what makes
    /// Gemini's documented paging work: ask again from the newest time returned.
    public func myTrades(account: Int64, symbol: String? = nil, sinceMs: Int64 = 0, limit: Int = 50) -> [SimTrade] {
        guard let ai = index(of: account), limit > 0 else { return [] }
        let wanted = symbol?.uppercased()
        // Oldest by time, then by trade id (a clock that steps back keeps its order).
        let out = accountTrades[ai].filter { $0.timestampms >= sinceMs && (wanted == nil || $0.symbol == wanted) }
            .sorted { ($0.timestampms, $0.tid) < ($1.timestampms, $1.tid) }.prefix(limit)
        return out.reversed()
    }

    /// `POST /v1/balances`, sorted by currency.
    public func balances(account: Int64) -> [SimBalance] {
        guard let ai = index(of: account) else { return [] }
        return accounts[ai].balances.values.sorted { $0.currency < $1.currency }
    }

    /// `POST /v1/notionalvolume`.
    public func notionalVolume(account: Int64) -> SimNotionalVolume? {
        guard let ai = index(of: account) else { return nil }
        let a = accounts[ai]
        return SimNotionalVolume(makerFeeBps: a.makerFeeBps, takerFeeBps: a.takerFeeBps,
                                 notionalVolume: a.notionalVolume, lastUpdatedMs: a.lastTradeMs)
    }

    /// `GET /v1/book/{symbol}`: aggregated levels, best first, `depth` per side (nil = all).
    public func book(symbol: String, depth: Int? = nil) -> SimBookSnapshot? {
        guard let si = symbolIndex[symbol.uppercased()] else { return nil }
        return books[si].snapshot(symbol: symbols[si].symbol, depth: depth)
    }

    /// Best bid and best ask prices.
    public func topOfBook(symbol: String) -> (bid: ExactDecimal?, ask: ExactDecimal?) {
        guard let si = symbolIndex[symbol.uppercased()] else { return (nil, nil) }
        return (books[si].best(.buy)?.price, books[si].best(.sell)?.price)
    }

    /// `GET /v1/trades/{symbol}`: public trades newest first (the last `recentTradeLimit`).
    public func recentTrades(symbol: String, limit: Int = 50) -> [SimPublicTrade] {
        guard let si = symbolIndex[symbol.uppercased()] else { return [] }
        return Array(recentTrades[si].suffix(min(limit, recentTradeLimit)).reversed())
    }

    /// Every accepted order and every fill of `account` (empty for accounts that do not
    /// keep history, apart from their live orders).
    public func ledger(account: Int64) -> SimLedger {
        guard let ai = index(of: account) else { return SimLedger(orders: [], trades: []) }
        let list = accountOrderIds[ai].compactMap { orders[$0]?.snapshot(includeTrades: true) }
        return SimLedger(orders: list, trades: accountTrades[ai])
    }

    /// Resting orders on one side of a symbol in matching priority (best price, then
    /// oldest first), for tests and tools.
    public func restingOrders(symbol: String, side: Side) -> [SimOrderSnapshot] {
        guard let si = symbolIndex[symbol.uppercased()] else { return [] }
        return books[si].ordersInPriority(side).map { $0.snapshot() }
    }
}
