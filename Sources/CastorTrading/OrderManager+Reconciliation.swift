import CastorCore

// Reconciliation plans applied, and finished orders forgotten.
extension OrderManager {
    /// Applies a `Reconciler` plan (built against this manager's `localOrders` and `ledger`).
    public mutating func apply(_ plan: ReconciliationPlan, now: Int64) -> [OrderAction] {
        var actions: [OrderAction] = []
        for fill in plan.fills {
            guard owns(orderID: fill.orderID, clientOrderID: fill.clientOrderID?.rawValue) else {
                reportForeign([fill], &actions)
                continue
            }
            let owner = clientIDByOrderID[fill.orderID]
            if case .applied = record(fill, &actions), let owner, var o = orders[owner] {
                notify(o.lifecycle.applyNewFill(amount: fill.amount, orderID: fill.orderID), &actions)
                orders[owner] = o
            }
        }
        for (id, report) in plan.open {
            switch report {
            case .status(let s): applyStatus(s, to: id, cause: "reconcile: open", now: now, &actions)
            case .event(let e):
                if route(orderID: e.orderID, clientOrderID: e.clientOrderID, &actions) == id, duplicates[e.orderID] == nil,
                   var o = orders[id] {
                    notify(o.lifecycle.apply(event: e), &actions)
                    orders[id] = o
                    followUps(id, now: now, &actions)
                }
            }
        }
        for (id, status) in plan.resolved { applyStatus(status, to: id, cause: "reconcile: lookup", now: now, &actions) }
        for (id, orderID) in plan.vanished where orders[id] != nil {
            actions.append(.queryOrder(orderID: orderID, notBeforeMs: now))
        }
        for id in plan.lookUpByClientOrderID where orders[id] != nil {
            orders[id]!.lookupAttempts = 0
            orders[id]!.repliesPending += 1
            actions.append(.lookup(id, notBeforeMs: now))
        }
        // Orphans the open list no longer shows have finished (their fills come with
        // `/v1/mytrades`); those it shows are counted and cancelled again.
        let listed = Set(plan.unknownOurs.map(\.orderID))
        for orderID in orphans.keys where !listed.contains(orderID) { orphans[orderID] = nil }
        for report in plan.unknownOurs {
            if duplicates[report.orderID] != nil || clientIDByOrderID[report.orderID] != nil { continue }
            noteUnknown(report.orderID, report.clientOrderID, ours: true, &actions)
            orphans[report.orderID]?.cancelRequested = false
            switch report {
            case .status(let s): trackOrphan(s, &actions)
            case .event(let e): trackOrphan(e, &actions)
            }
        }
        for report in plan.foreign { noteUnknown(report.orderID, report.clientOrderID, ours: false, &actions) }
        for t in plan.brokenTrades { actions.append(.alert("trade \(t.tradeID) of order \(t.orderID) was broken (break=full); not counted")) }
        return actions
    }

    /// Forgets closed orders (after the journal has them) that expect no more REST answers;
    /// returns their ids. Their order ids stay mapped so late duplicate events are
    /// recognised, not treated as unknown.
    public mutating func removeClosed() -> [ClientOrderID] {
        let closed = orders.filter { $0.value.lifecycle.phase == .closed && $0.value.repliesPending <= 0 }.map(\.key).sorted()
        for id in closed {
            if let orderID = orders[id]?.lifecycle.orderID { retire(orderID) }
            for (orderID, owner) in duplicates where owner == id { retire(orderID) }
            orders[id] = nil
        }
        return closed
    }

    /// Keeps a finished order's id mapped for a while (late duplicate events, late fills),
    /// then forgets the oldest.
    mutating func retire(_ orderID: VenueOrderID) {
        guard let evicted = retiredOrderIDs.insert(orderID).evicted else { return }
        clientIDByOrderID[evicted] = nil
        duplicates[evicted] = nil
        cancelAttemptsByOrderID[evicted] = nil
    }
}
