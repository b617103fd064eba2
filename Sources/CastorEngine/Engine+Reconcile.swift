import CastorCore
import CastorTrading
import Dispatch
import Logging

/// One reconciliation at a time; a request during one is remembered and run after it.
struct ReconciliationState {
    var running = false
    var queued: (reason: String, snapshot: [OrderReport]?, settled: Set<ClientOrderID>)?
    var waiting: [() -> Void] = []
    var completed = 0
    /// Reconciliations that gave up (a REST step failed for good).
    var failures = 0
}

extension Engine {
    /// Most `/v1/mytrades` rows asked for at once (Gemini's maximum).
    static let myTradesPageSize = 500

    /// Brings local orders and fills in line with the exchange (API.md §6.4): the open
    /// orders (the order-events `initial` snapshot, or `/v1/orders` when `snapshot` is nil),
    /// `/v1/mytrades` per symbol since the last known fill, then `Reconciler.plan` applied
    /// through the order manager (status queries for vanished orders, lookups for
    /// uncertain ones, cancels for orphans). Fills are counted once by trade id.
    ///
    /// Orders placed while the open-order list is being taken race it: which orders the list
    /// can speak for is fixed when it is taken (`settled`: the snapshot's arrival, or the
    /// `/v1/orders` request), and the rest are never counted as vanished (see
    /// `ReconciliationInput.racingSnapshot`).
    func reconcile(reason: String, snapshot: [OrderReport]?, then: (() -> Void)? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        reconcile(reason: reason, snapshot: snapshot, settled: ReconciliationInput.settled(router.manager.localOrders), then: then)
    }

    private func reconcile(reason: String, snapshot: [OrderReport]?, settled: Set<ClientOrderID>, then: (() -> Void)?) {
        if let then { reconciliation.waiting.append(then) }
        guard !reconciliation.running else {
            reconciliation.queued = (reason, snapshot, settled)
            return
        }
        reconciliation.running = true
        log("reconcile").info("reconciliation started", metadata: ["event": "reconcile.started", "reason": "\(reason)"])
        if let snapshot {
            fetchTrades(reason: reason, open: snapshot.map(OpenOrderReport.event), settled: settled)
        } else {
            startupCall("orders (reconcile)", retryWhileStopping: true, call: { v, q, done in v.openOrders(on: q, completion: done) },
                        onGiveUp: { [weak self] in self?.reconciliationFailed(reason) }) {
                [weak self] (orders: [OrderSnapshot]) in
                self?.fetchTrades(reason: reason, open: orders.map { .status($0) }, settled: settled)
            }
        }
    }

    private func fetchTrades(reason: String, open: [OpenOrderReport], settled: Set<ClientOrderID>) {
        var symbols = configuration.engine.symbols.map { Symbol($0) }
        var trades: [Symbol: [TradeReport]] = [:]
        func next() {
            guard let symbol = symbols.first else {
                return finish(reason: reason, open: open, trades: trades, settled: settled)
            }
            symbols.removeFirst()
            page(symbol, since: catchUpPoint(symbol), collected: []) { rows in
                trades[symbol] = rows
                next()
            }
        }
        next()
    }

    /// One symbol's trades since `since`, paging forward while pages come back full.
    private func page(_ symbol: Symbol, since: Int64, collected: [TradeReport], then: @escaping ([TradeReport]) -> Void) {
        let limit = Engine.myTradesPageSize
        startupCall("mytrades \(symbol)", retryWhileStopping: true, call: { v, q, done in
            v.trades(symbol, sinceMs: since, limit: limit, on: q, completion: done)
        }, onGiveUp: { [weak self] in self?.reconciliationFailed("mytrades \(symbol)") }) { [weak self] (rows: [TradeReport]) in
            guard let self else { return }
            var all = collected
            let known = Set(all.map(\.tradeID))
            let fresh = rows.filter { !known.contains($0.tradeID) }
            all += fresh
            let newest = rows.compactMap(\.timestampMs).max()
            // Same-millisecond trades may straddle pages, so the next page starts at the
            // newest time seen (not after it) and duplicates are dropped by trade id.
            if rows.count >= limit, !fresh.isEmpty, let newest, newest >= since {
                self.page(symbol, since: newest, collected: all, then: then)
            } else {
                if rows.count >= limit, fresh.isEmpty {
                    // A full page of trades already seen: more than a page share one
                    // millisecond, and `/v1/mytrades` cannot page past them.
                    self.log("reconcile").critical("fill catch-up stuck: a full page of trades brought nothing new", metadata: [
                        "event": "reconcile.mytrades_stuck", "symbol": "\(symbol)", "since_ms": "\(since)",
                        "page_size": "\(limit)",
                        "reason": "more than \(limit) trades in one millisecond; fills after them may be missing: compare the journal with the exchange's trade history"])
                }
                then(all)
            }
        }
    }

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

    /// A reconciliation step failed for good: try the whole thing again shortly, since
    /// fills may be missing until one succeeds.
    private func reconciliationFailed(_ reason: String) {
        reconciliation.running = false
        reconciliation.failures += 1
        defer { checkShutdownWait() }
        guard phase == .running else {
            // Stopping (the shutdown's fill catch-up, or one under way when it began): no
            // retry; the shutdown names any order whose fills are still missing.
            return log("reconcile").error("reconciliation failed; the next start reconciles", metadata: ["event": "reconcile.failed_final", "reason": "\(reason)"])
        }
        log("reconcile").error("reconciliation failed; retrying in 5 s", metadata: ["event": "reconcile.failed_retrying", "reason": "\(reason)"])
        clock.schedule(on: queue, afterMs: 5_000) { [weak self] in
            guard let self, self.phase == .running else { return }
            self.reconcile(reason: "retry after failure (\(reason))", snapshot: nil)
        }
    }

    private func finish(reason: String, open: [OpenOrderReport], trades: [Symbol: [TradeReport]], settled: Set<ClientOrderID>) {
        let local = router.manager.localOrders
        let input = ReconciliationInput(local: local, exchangeOpen: open, myTrades: trades,
                                        ourPrefix: ownPrefix,
                                        racingSnapshot: ReconciliationInput.racing(settled: settled, local: local))
        let plan = Reconciler.plan(input, ledger: router.manager.ledger)
        log("reconcile").notice("reconciliation result", metadata: ["event": "reconcile.result", 
            "reason": "\(reason)",
            "exchange_open": "\(open.count)",
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
                "event": "reconcile.trade_rejected", "trade_id": "\(r.trade.tradeID)", "order_id": "\(r.trade.orderID)",
                "reason": "\(r.reason)"])
        }
        for fill in plan.fills {
            log("reconcile").notice("fill found by reconciliation", metadata: ["event": "reconcile.fill_found", 
                "symbol": "\(fill.symbol)", "order_id": "\(fill.orderID)", "trade_id": "\(fill.tradeID)",
                "client_order_id": "\(fill.clientOrderID?.rawValue ?? "")", "side": "\(fill.side.rawValue)",
                "price": "\(fill.price)", "amount": "\(fill.amount)"])
        }
        perform(router.manager.apply(plan, now: now))
        if router.risk.killSwitchEngaged, phase == .starting || phase == .running,
           router.manager.orders.values.contains(where: { $0.lifecycle.phase.isOpen && $0.lifecycle.phase != .pendingCancel }) {
            // Orders restored from the journal or found open on the exchange while the
            // switch is engaged (engaged before start, or across a reload): cancel them.
            log("risk").critical("kill switch engaged: cancelling the open orders reconciliation found",
                                 metadata: ["event": "risk.kill_switch_engaged", "reason": "\(router.risk.killSwitchReason ?? "")"])
            cancelEverything(reason: "kill switch")
        }
        reconciliation.running = false
        reconciliation.completed += 1
        if let queued = reconciliation.queued {
            reconciliation.queued = nil
            reconcile(reason: queued.reason, snapshot: queued.snapshot, settled: queued.settled, then: nil)
        } else {
            let waiting = reconciliation.waiting
            reconciliation.waiting = []
            for w in waiting { w() }
        }
        checkShutdownWait()
    }
}
