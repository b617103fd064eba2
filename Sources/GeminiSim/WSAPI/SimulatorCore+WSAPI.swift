import CastorCore

extension SimulatorCore {
    /// Authenticates a WebSocket API upgrade (`RequestAuthenticator.authenticateWebSocketAPI`):
    /// nil for a public connection, the identity for a signed one. Maintenance refuses
    /// every upgrade (503). `headers` maps lower-case names.
    func authenticateWSAPI(headers: [String: String]) -> Result<WSAPIIdentity?, WSAPIUpgradeRefusal> {
        if inMaintenance { return .failure(.maintenance) }
        switch authenticator.authenticateWebSocketAPI(header: { headers[$0] }, nowMilliseconds: clock.nowMilliseconds()) {
        case .failure(let refusal):
            log(SimLogRecord(level: .info, event: "auth.rejected", fields: [("path", "ws_api"), ("reason", refusal.reason)]))
            return .failure(refusal)
        case .success(nil):
            return .success(nil)
        case .success(let entry?):
            guard let account = accountIds[entry.account] else {
                return .failure(.unauthorized("InvalidAccountName", "Account \(entry.account) does not exist"))
            }
            touchSession(entry.key)
            return .success(WSAPIIdentity(key: entry.key, accountId: account, accountName: entry.account))
        }
    }

    /// Hands the venue's symbols and books to `start` and registers `listener`, in one
    /// actor turn, so the WebSocket API's book copies miss no change and see none twice.
    func startWSAPI(start: @Sendable ([SimSymbol], [SimBookSnapshot]) -> Void,
                    listener: @escaping @Sendable (SimulatorEvents) -> Void) -> UInt64 {
        let symbols = engine.symbols
        start(symbols, symbols.map { engine.book(symbol: $0.symbol) ?? SimBookSnapshot(symbol: $0.symbol, bids: [], asks: []) })
        return addListener(listener)
    }

    /// Places an `order.place` order for `identity` and hands the outcome to `reply` before
    /// the order's events are published, so the reply precedes its `NEW` on the socket.
    /// The close-after-place fault (`wsAPICloseAfterPlaceNext`) counts only orders accepted.
    @discardableResult
    func placeWSAPIOrder(_ request: SimOrderRequest, identity: WSAPIIdentity,
                         reply: @Sendable (WSAPIPlacement) -> Void) -> WSAPIPlacement {
        defer { publishEvents() }
        touchSession(identity.key)
        let placement: WSAPIPlacement
        do {
            let order = try engine.placeOrder(request, account: identity.accountId, session: identity.key.key)
            placement = faults.drawCloseAfterPlace() ? .connectionClosed(orderId: order.orderId) : .placed(orderId: order.orderId)
        } catch {
            placement = .refused(reason: WSAPIOrderParams.rejectReason(engineReason: error.reason))
        }
        if case .connectionClosed(let id) = placement {
            log(SimLogRecord(level: .warning, event: "fault.ws_api_closed_after_place", fields: [("order_id", "\(id)")]))
        }
        reply(placement)
        return placement
    }

    /// `order.cancel`: cancels `orderId` if it is a live order of the account; false for an
    /// unknown, another account's, filled or cancelled order. `reply` runs before the events.
    @discardableResult
    func cancelWSAPIOrder(_ orderId: Int64, identity: WSAPIIdentity, reply: @Sendable (Bool) -> Void) -> Bool {
        defer { publishEvents() }
        touchSession(identity.key)
        let live = (try? engine.orderStatus(orderId: orderId, account: identity.accountId))?.isLive ?? false
        if live { _ = try? engine.cancelOrder(orderId: orderId, account: identity.accountId) }
        reply(live)
        return live
    }

    /// `order.cancel_all` (every live order of the account, placed over REST or any
    /// connection) or, with `connection`, `order.cancel_session` and `cancelOnDisconnect`
    /// (the orders placed on that connection). `reply` runs before the events.
    @discardableResult
    func cancelWSAPIOrders(identity: WSAPIIdentity, connection: UInt64?, reply: @Sendable ([Int64]) -> Void) -> [Int64] {
        defer { publishEvents() }
        let summary = connection.map { engine.cancelConnection(account: identity.accountId, connection: $0) }
            ?? engine.cancelAll(account: identity.accountId)
        reply(summary.cancelledOrders)
        return summary.cancelledOrders
    }
}
