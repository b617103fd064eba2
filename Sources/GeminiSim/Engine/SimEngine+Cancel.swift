import CastorCore

extension SimEngine {
    /// `POST /v1/order/cancel`.
    ///
    /// A live order is cancelled (`reason` `Requested`, events `cancelled` then `closed`).
    /// An order already cancelled returns its status unchanged; a filled one returns its
    /// status with `is_cancelled` false (as Gemini does) and emits nothing, since nothing
    /// may follow `closed`. An order that is not this account's, or unknown, throws
    /// `OrderNotFound` (404).
    ///
    /// The simulator never refuses a cancel of a live order, so it does not produce
    /// `cancel_rejected` (Gemini does so for auction timing, which it does not model).
    @discardableResult
    public func cancelOrder(orderId: Int64, account: Int64) throws(SimError) -> SimOrderSnapshot {
        now = clock()
        guard let order = orders[orderId], order.accountId == account else {
            throw .orderNotFound(String(orderId))
        }
        if order.isLive {
            cancel(order, reason: "Requested", command: nextId())
            flushLevels()
        }
        return order.snapshot()
    }

    /// `POST /v1/order/cancel/session`: every live order `session` placed for `account`
    /// (also what a "require heartbeat" expiry does).
    @discardableResult
    public func cancelSession(account: Int64, session: String) -> SimCancelSummary {
        cancelMany(account: account) { $0.session == session }
    }

    /// Every live order of `account` placed on WebSocket API connection `connection`
    /// (`order.cancel_session`, and `cancelOnDisconnect` when that connection closes).
    @discardableResult
    public func cancelConnection(account: Int64, connection: UInt64) -> SimCancelSummary {
        cancelMany(account: account) { $0.connection == connection }
    }

    /// `POST /v1/order/cancel/all`: every live order of `account`, whichever session placed it.
    @discardableResult
    public func cancelAll(account: Int64) -> SimCancelSummary {
        cancelMany(account: account) { _ in true }
    }

    /// Cancels every live order of every account on `symbol` with `reason` (e.g.
    /// `MarketClosed` when a test closes a market).
    @discardableResult
    public func cancelAllOrders(symbol: String, reason: String) -> [Int64] {
        now = clock()
        guard let si = symbolIndex[symbol.uppercased()] else { return [] }
        var victims = books[si].ordersInPriority(.buy) + books[si].ordersInPriority(.sell) + stops[si]
        victims.sort { $0.id < $1.id }
        let command = nextId()
        for order in victims { cancel(order, reason: reason, command: command) }
        flushLevels()
        return victims.map(\.id)
    }

    private func cancelMany(account: Int64, where include: (SimOrderRecord) -> Bool) -> SimCancelSummary {
        now = clock()
        guard let ai = index(of: account) else { return SimCancelSummary(cancelledOrders: [], cancelRejects: []) }
        let victims = liveOrders[ai].values.filter(include).sorted { $0.id < $1.id }
        let command = nextId()
        for order in victims { cancel(order, reason: "Requested", command: command) }
        flushLevels()
        return SimCancelSummary(cancelledOrders: victims.map(\.id), cancelRejects: [])
    }
}
