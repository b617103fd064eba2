import CastorCore
import CastorJournal
import CastorStrategy
import CastorTrading
import Dispatch
import Logging

extension Engine {
    // MARK: Delivery

    /// Hands a callback to the strategy (`StrategyRunner`: never nested).
    func deliver(_ event: StrategyEvent) {
        runner.deliver(event)
    }

    // MARK: Context operations

    func place(symbol: String, side: Side, price: ExactDecimal, amount: ExactDecimal,
               options option: OrderOption?) -> PlaceResult {
        dispatchPrecondition(condition: .onQueue(queue))
        let sym = Symbol(symbol)
        func refuse(_ r: PlaceRefusal, rule: String) -> PlaceResult {
            log("risk").warning("order refused", metadata: ["event": "risk.order_refused", 
                "symbol": "\(sym)", "side": "\(side.rawValue)", "price": "\(price)", "amount": "\(amount)",
                "rule": "\(rule)", "reason": "\(rule)", "detail": "\(r)", "strategy": "\(runner.name ?? "")"])
            identity.metrics.riskRefusal(rule)
            return .refused(r)
        }
        guard !runner.isStopping else { return refuse(.notAccepting("the strategy is stopping"), rule: "not_accepting") }
        guard phase == .running, let owner = runner.name else {
            return refuse(.notAccepting("engine is \(phase.rawValue)"), rule: "not_accepting")
        }
        guard let info = market.symbolInfo[sym] else { return refuse(.unknownSymbol(symbol), rule: "unknown_symbol") }
        let prepared: (price: ExactDecimal, amount: ExactDecimal)
        switch info.prepareOrder(side: side, price: price, amount: amount) {
        case .success(let p): prepared = p
        case .failure(let r): return refuse(r, rule: "quantisation")
        }
        let t = now
        if let halt = router.manager.haltNewOrdersUntilMs, t < halt {
            return refuse(.notAccepting("new orders halted (maintenance) until \(halt)"), rule: "maintenance_halt")
        }
        let intent = OrderIntent(symbol: sym, side: side, amount: prepared.amount,
                                 price: prepared.price, option: option, deadlineMs: t + Engine.newOrderDeadlineMs)
        let exposure = router.manager.exposure(sym)
        let riskContext = RiskContext(mid: mid(sym), position: router.manager.ledger.position(sym).base,
                                      openOrders: exposure.openOrders, openBuyAmount: exposure.openBuy,
                                      openSellAmount: exposure.openSell)
        if case .refuse(let rule, let detail) = router.risk.admit(intent, context: riskContext, now: t) {
            return refuse(.risk(rule: rule.rawValue, message: detail), rule: rule.rawValue)
        }
        // The client-order counter must never be reused, even after a crash with the boot
        // token reused: counters are reserved in blocks of `clientOrderCounterBlock`, the
        // block's upper end synced to the journal before the first id of the block is
        // handed out. Allocation inside a block needs no disk write; a restart resumes
        // above the reserved end, skipping what was left of the block.
        if let journal = journaling.journal, Int64(router.manager.generator.lastCounter) >= router.counterReservedThrough {
            let through = Int64(router.manager.generator.lastCounter) + Engine.clientOrderCounterBlock
            do { try journal.reserveClientOrderCounters(through: through) } catch {
                journalFailed(error, what: "client order counter")
                return refuse(.notAccepting("journal unavailable"), rule: "journal")
            }
            router.counterReservedThrough = through
        }
        let (maybeID, actions) = router.manager.submit(intent, now: t)
        guard let id = maybeID, actions.contains(where: { if case .send = $0 { true } else { false } }) else {
            perform(actions)
            return refuse(.notAccepting("the order manager did not accept the intent"), rule: "order_manager")
        }
        router.intents[id] = IntentInfo(strategy: owner, options: option, createdMs: t)
        TickTrace.shared.mark(.admitted)
        guard let journal = journaling.journal else {
            perform(actions)
            return .placed(clientOrderID: id.rawValue, price: prepared.price, amount: prepared.amount)
        }
        // The intent is journaled (synced) on the writer queue right after the request is
        // handed to the sender, so the fsync is not on the tick-to-order path. Money rules
        // hold: the exchange is the source of truth for orders; if the process dies before
        // this commit, the order carries our client-order-id prefix and the next start's
        // reconciliation finds it (orphan with our prefix) — and its counter was reserved
        // above, so no id is ever reused. Every later state event of this order comes from
        // a REST or WebSocket answer (always asynchronous) and is journaled on the same
        // serial writer queue, so it lands after the intent.
        let record = JournalIntent(
            clientOrderID: id.rawValue, strategy: owner, symbol: sym.rawValue, side: side,
            price: prepared.price, amount: prepared.amount, options: option.map { [$0.rawValue] } ?? [],
            createdMs: t)
        perform(actions)
        journaling.writer.async { [weak self] in
            do { try journal.recordIntent(record) } catch {
                // Already sent: trading stops; the next start reconciles the order by prefix.
                guard let self else { return }
                self.queue.async { self.journalFailed(error, what: "intent \(id)") }
            }
        }
        return .placed(clientOrderID: id.rawValue, price: prepared.price, amount: prepared.amount)
    }

    func cancel(clientOrderID raw: String) {
        guard !ignoredWhileStopping(["action": "cancel", "client_order_id": "\(raw)"]) else { return }
        guard let id = ClientOrderID(raw), router.intents[id] != nil, router.manager.order(id) != nil else { return }
        perform(router.manager.cancel(id, now: now))
    }

    func cancelAll(symbol: String) {
        guard !ignoredWhileStopping(["action": "cancel_all", "symbol": "\(symbol)"]) else { return }
        let sym = Symbol(symbol)
        for (id, o) in router.manager.orders.sorted(by: { $0.key < $1.key })
        where o.lifecycle.symbol == sym && o.lifecycle.phase.isOpen && router.intents[id]?.strategy == runner.name {
            perform(router.manager.cancel(id, now: now))
        }
    }

    /// A strategy's cancel from inside `stop(context:)` would overrule `cancel_on_shutdown
    /// = false` and the `hand-over` switch policy; the engine disposes of the orders.
    private func ignoredWhileStopping(_ what: Logger.Metadata) -> Bool {
        guard runner.isStopping else { return false }
        log("strategy").debug("ignored during stop: the engine decides what happens to open orders",
                              metadata: what.merging(["event": "strategy.ignored_during_stop", "reason": "strategy_stopping",
                                                      "strategy": "\(runner.name ?? "")"]) { $1 })
        return true
    }

    func replace(clientOrderID raw: String, price: ExactDecimal, amount: ExactDecimal) -> PlaceResult {
        guard let id = ClientOrderID(raw), let info = router.intents[id], let o = router.manager.order(id) else {
            return .refused(.notAccepting("unknown order \(raw)"))
        }
        perform(router.manager.cancel(id, now: now))
        return place(symbol: o.lifecycle.symbol.rawValue, side: o.lifecycle.side,
                     price: price, amount: amount, options: info.options)
    }

    func openOrderViews(symbol: String) -> [OrderView] {
        let sym = Symbol(symbol)
        return router.manager.orders.sorted(by: { $0.key < $1.key }).compactMap { id, o in
            guard o.lifecycle.symbol == sym, o.lifecycle.phase.isOpen, let info = router.intents[id],
                  info.strategy == runner.name else { return nil }
            return orderView(o, info: info)
        }
    }

    func orderView(_ o: OrderManager.ManagedOrder, info: IntentInfo) -> OrderView {
        let l = o.lifecycle
        return OrderView(clientOrderID: l.clientOrderID.rawValue, exchangeOrderID: l.orderID?.description, symbol: l.symbol.rawValue,
                         side: l.side, price: l.price, originalAmount: l.originalAmount,
                         executedAmount: l.executed, remainingAmount: l.remaining, options: info.options,
                         state: Engine.strategyState(l))
    }

    static func strategyState(_ l: OrderLifecycle) -> CastorStrategy.OrderState {
        switch l.phase {
        case .pendingNew, .uncertain: .pending
        case .accepted: .accepted
        case .booked: .booked
        case .partiallyFilled: .partiallyFilled
        case .pendingCancel: l.executed.isPositive ? .partiallyFilled : (l.isBooked ? .booked : .accepted)
        case .filled: .filled
        case .cancelled: .cancelled
        case .rejected: .rejected
        case .closed:
            switch l.outcome {
            case .filled?: .filled
            case .rejected?: .rejected
            case .cancelled?, nil: .cancelled
            }
        }
    }

    // MARK: Timers and logs

    func setStrategyTimer(id: String, after ms: Int64) {
        runner.setTimer(id: id, afterMs: ms)
    }

    func cancelStrategyTimer(id: String) {
        runner.cancelTimer(id: id)
    }

    func strategyLog(level: CastorStrategy.LogLevel, message: String, fields: [String: String]) {
        var metadata: Logger.Metadata = ["strategy": "\(runner.name ?? "")"]
        for (k, v) in fields { metadata[k] = "\(v)" }
        // A strategy's own lines carry an event key too; one it gives wins.
        if metadata["event"] == nil { metadata["event"] = "strategy.log" }
        let l: Logger.Level = switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
        log("strategy").log(level: l, "\(message)", metadata: metadata)
    }
}
