import CastorCore

/// The account an order-events connection authenticated as.
struct OrderEventsIdentity: Sendable {
    let key: SimAPIKeyConfig
    let accountId: Int64
    let accountName: String
}

/// One symbol's market-data snapshot: the aggregated book and the newest public trades.
struct MarketSnapshot: Sendable {
    let book: SimBookSnapshot
    /// Newest first.
    let trades: [SimPublicTrade]
}

extension SimulatorCore {
    /// Roles that may open `/v1/order/events` (API.md §6.1).
    static let orderEventsRoles: [SimAPIKeyConfig.Role] = [.trader, .auditor]

    /// Authenticates the upgrade request of `/v1/order/events` exactly like a private REST
    /// call: the same headers, signature, payload `request` and nonce rules (the nonce is
    /// consumed), then the Trader or Auditor role. `headers` maps lower-case names.
    func authenticateOrderEvents(headers: [String: String]) -> Result<OrderEventsIdentity, GeminiErrorReply> {
        if inMaintenance { return .failure(.maintenance()) }
        let path = "/v1/order/events"
        let auth: AuthenticatedRequest
        switch authenticator.authenticate(path: path, header: { headers[$0.lowercased()] },
                                          nowMilliseconds: clock.nowMilliseconds()) {
        case .failure(let reply):
            log(SimLogRecord(level: .info, event: "auth.rejected", fields: [("path", path), ("reason", reply.reason)]))
            return .failure(reply)
        case .success(let request): auth = request
        }
        touchSession(auth.key)
        let allowed = Self.orderEventsRoles
        guard auth.key.roles.contains(where: allowed.contains) else {
            return .failure(.missingRole(required: allowed.map(\.rawValue), key: auth.key.key, has: auth.key.roles.map(\.rawValue)))
        }
        guard let account = accountIds[auth.accountName] else {
            return .failure(.badRequest("InvalidAccountName", "Account \(auth.accountName) does not exist"))
        }
        return .success(OrderEventsIdentity(key: auth.key, accountId: account, accountName: auth.accountName))
    }

    /// Whether `name` (any case) is a symbol of this venue; the canonical upper-case name.
    func canonicalSymbol(_ name: String) -> String? { engine.symbol(name)?.symbol }

    /// Hands the account's active orders to `start` and registers `listener`, in one actor
    /// turn: every event after the snapshot reaches the listener, none before it does.
    func subscribeOrderEvents(account: Int64, start: @Sendable ([SimOrderSnapshot]) -> Void,
                              listener: @escaping @Sendable (SimulatorEvents) -> Void) -> UInt64 {
        start(engine.activeOrders(account: account))
        return addListener(listener)
    }

    /// Hands snapshots of `symbols` (canonical names) to `start` in one actor turn, so the
    /// caller can switch those symbols on for its listener with nothing lost or repeated.
    func withMarketSnapshots(_ symbols: [String], tradeLimit: Int, start: @Sendable ([MarketSnapshot]) -> Void) {
        let snapshots = symbols.map { symbol in
            MarketSnapshot(book: engine.book(symbol: symbol) ?? SimBookSnapshot(symbol: symbol, bids: [], asks: []),
                           trades: engine.recentTrades(symbol: symbol, limit: tradeLimit))
        }
        start(snapshots)
    }

    /// Upper-case names of the venue's symbols.
    func symbolNames() -> Set<String> { Set(engine.symbols.map(\.symbol)) }
}
