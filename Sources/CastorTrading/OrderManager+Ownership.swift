import CastorCore

// Which exchange orders and fills are this instance's (several instances may share one
// account), and the orphans: open orders of ours that no intent owns.
extension OrderManager {
    /// Whether an exchange order is this instance's: its order id is bound to one of our
    /// intents (open or recently finished), it is a known orphan, or its client order id
    /// carries this instance's prefix. Anything else (the website, another castor on the
    /// same account, other programs) is foreign: never cancelled, never counted.
    public func owns(orderID: VenueOrderID, clientOrderID: String?) -> Bool {
        if clientIDByOrderID[orderID] != nil || duplicates[orderID] != nil || orphans[orderID] != nil { return true }
        return clientOrderID.flatMap(ClientOrderID.init).map(generator.isOurs) ?? false
    }

    /// Counts (or, once finished, forgets) an orphan from a report about it, and asks for
    /// its cancel the first time it is seen open.
    mutating func trackOrphan(orderID: VenueOrderID, clientOrderID: String?, symbol: Symbol, side: Side?,
                                      remaining: ExactDecimal?, live: Bool, _ actions: inout [OrderAction]) {
        guard live else {
            orphans[orderID] = nil
            return
        }
        var o = orphans[orderID] ?? OrphanOrder(orderID: orderID, clientOrderID: clientOrderID, symbol: symbol,
                                                side: side, remaining: remaining ?? .zero)
        if let side { o.side = side }
        if let remaining { o.remaining = remaining }
        orphans[orderID] = o
        requestOrphanCancel(orderID, &actions)
    }

    mutating func trackOrphan(_ e: OrderReport, _ actions: inout [OrderAction]) {
        let finished = e.kind == .closed || e.kind == .cancelled || e.kind == .rejected
        trackOrphan(orderID: e.orderID, clientOrderID: e.clientOrderID, symbol: e.symbol, side: e.side,
                    remaining: e.remainingAmount ?? (e.executedAmount == nil ? e.originalAmount : nil),
                    live: e.isLive ?? !finished, &actions)
    }

    mutating func trackOrphan(_ s: OrderSnapshot, _ actions: inout [OrderAction]) {
        trackOrphan(orderID: s.orderID, clientOrderID: s.clientOrderID, symbol: s.symbol, side: s.side,
                    remaining: s.remainingAmount, live: s.state == .open, &actions)
    }

    mutating func requestOrphanCancel(_ orderID: VenueOrderID, _ actions: inout [OrderAction]) {
        guard configuration.cancelUnknownOwnOrders, let o = orphans[orderID], !o.cancelRequested else { return }
        orphans[orderID]!.cancelRequested = true
        actions.append(.cancelUnknown(orderID: orderID))
    }

    /// Fills of orders that are not ours: reported once each, never counted.
    mutating func reportForeign(_ fills: [LedgerFill], _ actions: inout [OrderAction]) {
        for fill in fills where reportedForeignTrades.insert(fill.tradeID).inserted {
            actions.append(.notifyStrategy(.foreignFill(fill)))
        }
    }
}

extension OrderLifecycle {
    /// Finished here before the exchange ever named an order for it (rejected locally
    /// after a lookup that lagged, refused, expired). An exchange order that turns up live
    /// for it after that is an orphan: nothing will manage it unless it is cancelled.
    var finishedWithoutOrder: Bool { orderID == nil && outcome != nil }
}
