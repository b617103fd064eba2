import CastorCore
import CastorTrading
import Dispatch
import Logging

/// The engine's side of reconciliation: the venue reads and the order manager that
/// `ReconciliationDriver` (which owns the runs, their queue and retry) works through.
extension Engine: ReconciliationHost {
    /// Brings local orders and fills in line with the exchange (API.md §6.4): the open
    /// orders (the order-events `initial` snapshot, or `/v1/orders` when `snapshot` is nil),
    /// `/v1/mytrades` per symbol since the last known fill, then `Reconciler.plan` applied
    /// through the order manager (status queries for vanished orders, lookups for
    /// uncertain ones, cancels for orphans). Fills are counted once by trade id.
    func reconcile(_ trigger: ReconcileTrigger, snapshot: [OrderReport]?, then: (() -> Void)? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        reconciliation.request(trigger, snapshot: snapshot, then: then)
    }

    var reconciliationLog: Logger { log("reconcile") }

    var reconciledSymbols: [Symbol] { configuration.engine.symbols.map { Symbol($0) } }

    func settledOrders() -> Set<ClientOrderID> { ReconciliationInput.settled(router.manager.localOrders) }

    var retriesReconciliation: Bool { phase == .running }

    func fetchOpenOrders(then: @escaping ([OrderSnapshot]) -> Void, onGiveUp: @escaping () -> Void) {
        startupCall("orders (reconcile)", retryWhileStopping: true, call: { v, q, done in v.openOrders(on: q, completion: done) },
                    onGiveUp: onGiveUp, then: then)
    }

    func fetchTrades(_ symbol: Symbol, sinceMs: Int64, limit: Int,
                     then: @escaping ([TradeReport]) -> Void, onGiveUp: @escaping () -> Void) {
        startupCall("mytrades \(symbol)", retryWhileStopping: true, call: { v, q, done in
            v.trades(symbol, sinceMs: sinceMs, limit: limit, on: q, completion: done)
        }, onGiveUp: onGiveUp, then: then)
    }

    func reconciliationEnded() { checkShutdownWait() }

    /// Where `/v1/mytrades` catch-up starts for `symbol`: the newest counted fill, else the
    /// oldest open intent (a restart after an abrupt stop), else shortly before start-up.
    /// An order the exchange reported executed beyond its counted fills (a cancel reply or
    /// status without trades) may have traded before that newest fill, so the catch-up
    /// starts no later than its creation.
    ///
    /// Fill times are the exchange's; creation and start times are the engine's steady
    /// clock, which runs ahead of the wall clock by `skewMs` once the wall clock was stepped
    /// back, so those start earlier by that much.
    func catchUpPoint(_ symbol: Symbol) -> Int64 {
        let lastFill = router.manager.ledger.fills.values.filter { $0.symbol == symbol }.compactMap(\.timestampMs).max()
        let skew = max(0, clock.skewMs)
        if var since = lastFill {
            for o in ordersWithUnjournaledFills() where o.lifecycle.symbol == symbol {
                if let created = router.intents[o.lifecycle.clientOrderID]?.createdMs { since = min(since, created - 5_000 - skew) }
            }
            return since
        }
        var since = identity.startedAtMs - 60_000 - skew
        for (id, info) in router.intents where router.manager.order(id)?.lifecycle.symbol == symbol {
            since = min(since, info.createdMs - 5_000 - skew)
        }
        return since
    }

    /// Plans the reconciliation against the order manager as it is now and carries it out.
    ///
    /// Orders placed while the open-order list was being taken race it: the list speaks
    /// only for `fetched.settled`, and the rest are never counted as vanished (see
    /// `ReconciliationInput.racingSnapshot`).
    func applyReconciliation(_ fetched: ReconciliationRun.Fetched, trigger: ReconcileTrigger) {
        let local = router.manager.localOrders
        let input = ReconciliationInput(local: local, exchangeOpen: fetched.open, myTrades: fetched.trades,
                                        ourPrefix: ownPrefix,
                                        racingSnapshot: ReconciliationInput.racing(settled: fetched.settled, local: local))
        let plan = Reconciler.plan(input, ledger: router.manager.ledger)
        log("reconcile").notice("reconciliation result", metadata: [
            "event": "reconcile.result",
            "reason": "\(trigger.code)",
            "exchange_open": "\(fetched.open.count)",
            "new_fills": "\(plan.fills.count)",
            "open_matched": "\(plan.open.count)",
            "vanished": "\(plan.vanished.count)",
            "lookups": "\(plan.lookUpByClientOrderID.count)",
            "orphans": "\(plan.unknownOurs.count)",
            "foreign": "\(plan.foreign.count)",
            "broken_trades": "\(plan.brokenTrades.count)",
            "rejected_trades": "\(plan.rejectedTrades.count)",
        ])
        for r in plan.rejectedTrades {
            log("reconcile").error("trade from /v1/mytrades rejected: not counted", metadata: [
                "event": "reconcile.trade_rejected", "reason": "trade_not_countable", "trade_id": "\(r.trade.tradeID)",
                "order_id": "\(r.trade.orderID)", "client_order_id": "\(r.trade.clientOrderID ?? "")",
                "symbol": "\(r.trade.symbol.map(\.rawValue) ?? "")", "side": "\(r.trade.side.rawValue)",
                "price": "\(r.trade.price)", "amount": "\(r.trade.amount)", "detail": "\(r.reason)"])
        }
        for fill in plan.fills {
            log("reconcile").notice("fill found by reconciliation", metadata: [
                "event": "reconcile.fill_found", "reason": "\(trigger.code)",
                "symbol": "\(fill.symbol)", "order_id": "\(fill.orderID)", "trade_id": "\(fill.tradeID)",
                "client_order_id": "\(fill.clientOrderID?.rawValue ?? "")", "side": "\(fill.side.rawValue)",
                "price": "\(fill.price)", "amount": "\(fill.amount)"])
        }
        perform(router.manager.apply(plan, now: now))
        if router.risk.killSwitchEngaged, phase == .starting || phase == .running,
           router.manager.orders.values.contains(where: { $0.lifecycle.phase.isOpen && $0.lifecycle.phase != .pendingCancel }) {
            // Orders restored from the journal or found open on the exchange while the
            // switch is engaged (engaged before start, or across a reload): cancel them.
            log("risk").critical("kill switch engaged: cancelling the open orders reconciliation found", metadata: [
                "event": "risk.kill_switch_engaged", "reason": "\(router.killSwitchCause?.code ?? KillSwitchCause.operator.code)",
                "detail": "\(router.risk.killSwitchReason ?? "")", "found_by": "reconcile"])
            cancelEverything(.killSwitch)
        }
    }
}
