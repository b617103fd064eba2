import CastorConfig
import CastorCore
import CastorStrategy
import CastorTrading
import Dispatch
import Logging

extension Engine {
    // MARK: Strategy lifecycle

    /// Builds and starts a strategy. Nothing running is touched unless creation succeeds.
    func startStrategy(_ selection: StrategySelection, parameters: StrategyParameterTable) -> Result<Void, EngineError> {
        switch StrategyCatalog.make(selection, parameters: parameters, symbols: configuration.engine.symbols,
                                     extra: runner.extraFactories) {
        case .failure(let e): return .failure(e)
        case .success(let instance):
            install(StrategySlot(name: selection.name, selection: selection, instance: instance, parameters: parameters))
            return .success(())
        }
    }

    func install(_ slot: StrategySlot) {
        log("strategy").notice("strategy started", metadata: ["event": "strategy.started", "strategy": "\(slot.name)"])
        runner.install(slot)
    }

    /// Stops the running strategy (no more callbacks, timers disarmed).
    func stopStrategy() {
        guard let slot = runner.stop() else { return }
        log("strategy").notice("strategy stopped", metadata: ["event": "strategy.stopped", "strategy": "\(slot.name)"])
    }

    // MARK: Kill switch

    /// Engages or releases the kill switch (see `setKillSwitch` for the rules); `cause` is
    /// logged as the line's `reason` and `by`, `detail` (the operator's words, the failure)
    /// as its `detail` and kept by the risk checker for the refusals it gives.
    func engageKillSwitch(_ on: Bool, cause: KillSwitchCause, detail: String) {
        var fields: Logger.Metadata = ["reason": "\(cause.code)", "by": "\(cause.code)", "detail": "\(detail)"]
        let holder = router.risk.killSwitchEngaged ? (router.killSwitchCause ?? .operator) : nil
        if on {
            if let holder {
                fields["held_by"] = "\(holder.code)"
                guard holder == .configuration, cause != .configuration else {
                    // Idempotent: a doubled SIGUSR1 changes nothing (and cancels nothing again:
                    // the first engagement's session cancel retries until confirmed).
                    return log("risk").notice("kill switch already engaged: nothing changes",
                                              metadata: Engine.withEvent("risk.kill_switch_already_engaged", fields))
                }
                // The file held it; now `cause` does too, so a reload cannot release it.
                router.risk.engageKillSwitch(reason: detail)
                router.killSwitchCause = cause
                return log("risk").critical("kill switch (engaged by the configuration) now held by \(cause.code): a reload no longer releases it",
                                            metadata: Engine.withEvent("risk.kill_switch_held", fields))
            }
            router.risk.engageKillSwitch(reason: detail)
            router.killSwitchCause = cause
            guard phase != .created else {
                // Nothing is open or rebuilt yet: the start-up reconciliation, which restores
                // the journal's orders first, cancels whatever it finds (`applyReconciliation`).
                return log("risk").critical("kill switch engaged before start: the start-up reconciliation cancels what it finds",
                                            metadata: Engine.withEvent("risk.kill_switch_engaged_before_start", fields))
            }
            log("risk").critical("kill switch engaged: cancelling everything",
                                 metadata: Engine.withEvent("risk.kill_switch_engaged", fields))
            cancelEverything(.killSwitch)
        } else {
            guard let holder else { return }
            fields["held_by"] = "\(holder.code)"
            guard cause.mayRelease(heldBy: holder) else {
                return log("risk").warning("kill switch stays engaged: \(holder.code) engaged it and only the operator releases it (restart castor)",
                                           metadata: Engine.withEvent("risk.kill_switch_kept", fields))
            }
            router.risk.releaseKillSwitch()
            router.killSwitchCause = nil
            log("risk").critical("kill switch released", metadata: Engine.withEvent("risk.kill_switch_released", fields))
        }
    }

    /// Cancels every order this engine tracks (queued new orders are withdrawn) and the
    /// whole session (`/v1/order/cancel/session`), the backstop for any it does not track.
    ///
    /// With `sessionFirst` (the kill switch) the session cancel leads, so the one request
    /// that stops everything is not queued behind a cancel per order. A graceful shutdown
    /// cancels per order first: each reply carries the order's executed amount, which the
    /// final fill catch-up must cover before the journal closes (new orders cannot delay
    /// it: they are dropped once the engine is stopping).
    func cancelEverything(_ reason: CancelAllReason, sessionFirst: Bool = true, then: (() -> Void)? = nil) {
        if !sessionFirst { perform(router.manager.cancelAll(now: now)) }
        defer { if sessionFirst { perform(router.manager.cancelAll(now: now)) } }
        cancelSession(reason: reason, attempt: 0, then: then)
    }

    /// Sends `/v1/order/cancel/session`, and again with backoff (0.25 s doubling to 5 s)
    /// until the exchange confirms it, for as long as it still matters: the kill switch is
    /// engaged or the engine is stopping. It is the one request that reaches orders this
    /// engine does not track, so a failed one (a 5xx, a timeout, a dropped connection) must
    /// not be the last word. `then` runs after the first answer, whatever it was, so a
    /// shutdown never waits on the retries.
    private func cancelSession(reason: CancelAllReason, attempt: Int, then: (() -> Void)?) {
        let box = UncheckedBox(then)
        enqueue("session cancel", kind: .cancel) { [weak self] venue, done in
            guard let self else { return }
            venue.cancelSession(on: self.queue) { result in
                switch result {
                case .success(let r):
                    self.log("orders").notice("session orders cancelled", metadata: [
                        "event": "orders.session_cancelled", "reason": "\(reason.code)", "attempt": "\(attempt + 1)",
                        "cancelled": "\(r.cancelled.count)", "refused": "\(r.rejected.count)"])
                case .failure(let e):
                    let retry = self.phase != .stopped && (self.router.risk.killSwitchEngaged || self.phase == .stopping)
                    let delayMs = min(5_000, 250 << min(attempt, 5))
                    self.log("orders").error("cancel session failed", metadata: [
                        "event": "orders.session_cancel_failed", "reason": "\(e.code)", "detail": "\(e)",
                        "cancel_reason": "\(reason.code)", "attempt": "\(attempt + 1)",
                        "retry_in_ms": retry ? "\(delayMs)" : "none"])
                    if retry {
                        self.clock.schedule(on: self.queue, afterMs: Int64(delayMs)) { [weak self] in
                            guard let self, self.phase != .stopped,
                                  self.router.risk.killSwitchEngaged || self.phase == .stopping else { return }
                            self.cancelSession(reason: reason, attempt: attempt + 1, then: nil)
                        }
                    }
                }
                self.noteOutcome(result.failureValue)
                done()
                box.value?()
            }
        }
    }

    // MARK: Shutdown

    /// `deadlineMs` is on the engine clock (`Engine.shutdown(cancelOpenOrders:deadlineMs:)`,
    /// or a `DispatchTime` measured by `engineTime(of:)`).
    func beginShutdown(cancelOpenOrders: Bool, deadlineMs: Int64,
                       completion: @escaping @Sendable (Result<Void, EngineError>) -> Void) {
        let action = lifecycle.shutdownRequested()
        guard case .beginShutdown(let wasRunning, let abandonsStart) = action else {
            if case .refuse(let why) = action { completion(.failure(.invalidState(why))) }
            return
        }
        log("engine").notice("shutting down", metadata: ["event": "engine.shutting_down", "reason": "shutdown",
                                                                "cancel_open_orders": "\(cancelOpenOrders)",
                                                                "was_running": "\(wasRunning)",
                                                                "open_orders": "\(openOrderCount)"])
        if abandonsStart, let c = waiting.start {
            waiting.start = nil
            c(.failure(.invalidState("shut down during start-up")))
        }
        stopStrategy()
        var finished = false
        let finish: (Result<Void, EngineError>) -> Void = { [weak self] result in
            guard let self, !finished else { return }
            finished = true
            self.waiting.shutdown = nil
            let result = self.reportUnjournaledFills(result)
            self.stopFeeds()
            self.ticker.timer?.cancel()
            self.lane.wake?.cancel()
            // Drain the writer queue (intents, order states) before the final synced write,
            // which also makes those deferred commits durable (one append-only WAL).
            self.journaling.writer.sync {}
            do { try self.journaling.journal?.setMeta("engine.clean_shutdown_ms", "\(self.now)") } catch {
                self.log("journal").error("journal flush failed", metadata: ["event": "journal.flush_failed",
                                                                             "reason": "journal_error", "detail": "\(error)"])
            }
            self.lifecycle.shutdownFinished()
            self.logSessionSummary()
            self.releaseResources()
            self.log("engine").notice("stopped", metadata: Engine.withEvent("engine.stopped", Engine.outcomeFields(result)))
            completion(result)
        }
        let finishBox = UncheckedBox(finish)
        clock.schedule(on: queue, atMs: deadlineMs) { [weak self] in
            guard let self else { return }
            let open = self.openOrderCount
            finishBox.value(open == 0 ? .success(()) : .failure(.timedOut("\(open) orders still open at the shutdown deadline")))
        }
        guard lane.venue != nil else { return finish(.success(())) }
        let catchUp = { [weak self] in self?.catchUpFills(then: { finishBox.value(.success(())) }) ?? () }
        if cancelOpenOrders, wasRunning || openOrderCount > 0 {
            cancelEverything(.shutdown, sessionFirst: false) { [weak self] in self?.waitForNoOpenOrders(then: catchUp) }
        } else if wasRunning || openOrderCount > 0 || !ordersWithUnjournaledFills().isEmpty {
            catchUp()
        } else {
            finish(.success(()))
        }
    }

    /// A start's or shutdown's result as log fields: `outcome` (`ok` or `error`), and for an
    /// error its `reason` (`EngineError.code`) and `detail`.
    static func outcomeFields(_ result: Result<Void, EngineError>) -> Logger.Metadata {
        switch result {
        case .success: ["outcome": "ok"]
        case .failure(let e): ["outcome": "error", "reason": "\(e.code)", "detail": "\(e)"]
        }
    }

    /// The shutdown's last step before the journal closes, with the feeds still open: a
    /// final reconciliation, the one run after every reconnect (open orders, then
    /// `/v1/mytrades` since the last known fill, or earlier for an order missing fills: see
    /// `catchUpPoint`). The cancels' answers (replies, order events, status queries) may
    /// have reported executions without their trades; those fills, and any the exchange made
    /// that nothing reported, are journaled now. A process must not exit leaving fills it
    /// knew about to the next start, which may be days later or on another machine.
    ///
    /// `then` runs once that reconciliation has finished (or given up) and every order's
    /// executed amount is covered by counted fills; status queries the order manager has
    /// queued for an order's missing fills may still bring them meanwhile. The shutdown
    /// deadline cuts this short otherwise, and `reportUnjournaledFills` names what is missing.
    private func catchUpFills(then: @escaping () -> Void) {
        let before = (completed: reconciliation.completed, failures: reconciliation.failures)
        reconcile(.shutdownCatchUp, snapshot: nil)
        waitForFillCatchUp(since: before, then: then)
    }

    private func waitForFillCatchUp(since before: (completed: Int, failures: Int), then: @escaping () -> Void) {
        guard phase == .stopping else { return }
        waiting.shutdown = ShutdownWait(condition: .fillCatchUp(completed: before.completed, failures: before.failures), then: then)
        checkShutdownWait()
    }

    /// Runs the shutdown's waiting step once its condition holds. Called where that can
    /// change: after the order manager's actions are carried out, when a reconciliation ends,
    /// and on the engine's tick as a backstop. No polling timer.
    func checkShutdownWait() {
        guard let wait = waiting.shutdown, phase == .stopping else { return }
        let met: Bool
        switch wait.condition {
        case .noOpenOrders:
            met = openOrderCount == 0
        case .fillCatchUp(let completed, let failures):
            // A reconciliation requested while another runs is queued behind it; when none
            // runs any more, one that started after the request has finished, or one of them
            // failed (which drops the queued request: wait no longer for it).
            met = !reconciliation.isRunning && (reconciliation.failures > failures || reconciliation.completed > completed)
                && ordersWithUnjournaledFills().isEmpty
        }
        guard met else { return }
        waiting.shutdown = nil
        wait.then()
    }

    /// Orders with fills the journal lacks (`OrderRouter.ordersWithUnjournaledFills`).
    func ordersWithUnjournaledFills() -> [OrderManager.ManagedOrder] {
        router.ordersWithUnjournaledFills()
    }

    func journaledExecution(_ order: OrderLifecycle) -> ExactDecimal {
        router.journaledExecution(order)
    }

    /// At the end of a shutdown, before the journal closes: a critical line for each order
    /// with fills not journaled (the next start's reconciliation must fetch them, so the
    /// operator knows it is needed), and the result turned into `.timedOut` saying so.
    private func reportUnjournaledFills(_ result: Result<Void, EngineError>) -> Result<Void, EngineError> {
        let missing = ordersWithUnjournaledFills()
        guard !missing.isEmpty else { return result }
        for o in missing {
            let l = o.lifecycle
            log("orders").critical("shutdown: order executed more than its journaled fills; the next start's reconciliation must fetch them from the exchange", metadata: ["event": "orders.shutdown_fills_missing", 
                "symbol": "\(l.symbol)", "client_order_id": "\(l.clientOrderID)", "order_id": "\(l.orderID?.description ?? "")",
                "side": "\(l.side.rawValue)", "price": "\(l.price)", "amount": "\(l.originalAmount)",
                "executed": "\(l.executedReported)", "journaled": "\(journaledExecution(l))", "reason": "shutdown_deadline",
                "detail": "fills not fetched before the shutdown deadline"])
        }
        let why = "\(missing.count) order(s) with fills not journaled (the next start's reconciliation fetches them)"
        switch result {
        case .success: return .failure(.timedOut(why))
        case .failure(.timedOut(let other)): return .failure(.timedOut("\(other); \(why)"))
        case .failure: return result
        }
    }

    /// Lets go of everything a replacement engine will need, once this one has stopped or
    /// failed to start: feeds and timers stop, the key's sender is retired (queued requests
    /// fail unsent, nothing is signed any more), the credentials are dropped and the journal
    /// is flushed and closed. A daemon that swaps engines on reload relies on this: one
    /// writer per journal file (a key rotation reopens the same one), one live nonce source
    /// per API key. Idempotent.
    func releaseResources() {
        stopFeeds()
        ticker.timer?.cancel()
        lane.wake?.cancel()
        runner.cancelAllTimers()
        reconciliation.cancelRetry()
        // The key's queue: what still waits leaves unsent (a waiting handshake lease is told;
        // a queued new order is simply never sent, and the next start never resends it).
        lane.scheduler.retire()
        while case .expired(let request) = lane.scheduler.next(now: now) { request.payload.expired?() }
        if let venue = lane.venue {
            lane.retiring = venue
            venue.retire(on: queue) {}
        }
        lane.venue = nil
        // Intents and order states still on the writer queue reach the file before it closes.
        journaling.writer.sync {}
        if let journal = journaling.journal {
            journaling.journal = nil
            do { try journal.close() } catch {
                log("journal").error("journal close failed", metadata: ["event": "journal.close_failed",
                                                                       "reason": "journal_error", "detail": "\(error)"])
            }
        }
    }

    /// Calls `completion` (engine queue) once the retired sender has no signed request in
    /// flight, so its nonce source will never draw again and another engine may use the key;
    /// false if `deadline` came first. Call after `shutdown` completed or `start` failed.
    func awaitRetirement(deadline: DispatchTime, completion: @escaping @Sendable (Bool) -> Void) {
        guard let venue = lane.retiring else {
            // Never had a session (false only while one is live: it is not retired).
            return completion(lane.venue == nil)
        }
        let first = FirstCall()
        venue.retire(on: queue) { if first.claim() { completion(true) } }
        clock.schedule(on: queue, atMs: engineTime(of: deadline)) { if first.claim() { completion(false) } }
    }

    /// Calls `then` once no order is open (cancels confirmed by events or replies).
    private func waitForNoOpenOrders(then: @escaping () -> Void) {
        guard phase == .stopping else { return }
        waiting.shutdown = ShutdownWait(condition: .noOpenOrders, then: then)
        checkShutdownWait()
    }

    // MARK: Tick, health, status

    func startTick() {
        ticker.timer = clock.repeating(on: queue, everyMs: 1_000) { [weak self] in self?.tick() }
    }

    private func tick() {
        ticker.lastMs = now
        for symbol in router.pnl.awaitingMark.keys.sorted() { if let m = mid(symbol) { router.pnl.mark(symbol, m) } }
        sampleMetrics()
        heartbeatIfIdle()
        refreshBalancesIfDue()
        for id in router.manager.removeClosed() { router.intents[id] = nil }
        pumpScheduler()
        checkShutdownWait()
    }

    /// Reads the balances again when `BalanceRefresh` says so (running only); a failure
    /// keeps the last known ones and tries again at the next due time.
    private func refreshBalancesIfDue() {
        guard phase == .running, lane.venue != nil, market.balanceRefresh.due(atMs: now) else { return }
        enqueue("balances", kind: .query) { [weak self] venue, done in
            guard let self else { return done() }
            self.market.balancesReadSent()
            venue.balances(on: self.queue) { result in
                switch result {
                case .success(let list):
                    self.market.balancesRead(list, replacing: true)
                    self.market.balanceRefresh.loaded(atMs: self.now)
                case .failure(let e):
                    self.market.balancesReadFailed()
                    self.market.balanceRefresh.failed(atMs: self.now)
                    self.log("engine").info("balances refresh failed", metadata: ["event": "engine.balances_refresh_failed",
                                                                                  "reason": "\(e.code)", "detail": "\(e)"])
                }
                done()
            }
        }
    }

    func currentHealth() -> EngineHealth {
        let t = now
        let loopAge = t - ticker.lastMs
        let mdAge = connections.status.lastMarketDataMs.map { t - $0 }
        let oeAge = connections.status.lastOrderEventsMs.map { t - $0 }
        var problem: String?
        if ticker.timer != nil, phase == .running || phase == .starting, loopAge > 5_000 {
            problem = "engine loop has not turned for \(loopAge) ms"
        }
        if phase == .running {
            let f = configuration.feeds
            let limit = f.heartbeatTimeout.milliseconds * 2 + f.reconnectBackoffCap.milliseconds
            if let oeAge, oeAge > limit { problem = "order events silent for \(oeAge) ms" }
            if let mdAge, mdAge > f.staleMarketAfter.milliseconds * 2 + f.reconnectBackoffCap.milliseconds {
                problem = "market data silent for \(mdAge) ms"
            }
        }
        return EngineHealth(alive: problem == nil && phase != .failed, loopAgeMs: loopAge, marketDataAgeMs: mdAge,
                            orderEventsAgeMs: oeAge, problem: problem ?? (phase == .failed ? "start-up failed" : nil))
    }

    func currentStatusLine() -> String {
        let killed = router.risk.killSwitchEngaged ? ", KILL SWITCH" : ""
        // Every fill counted, from the positions: the ledger keeps only recent fills in memory.
        let fillCount = router.manager.ledger.positions.values.reduce(0) { $0 + $1.fillCount }
        return "\(phase.rawValue): \(runner.name ?? "no strategy"), market data \(connections.status.marketData), "
            + "order events \(connections.status.orderEvents), \(openOrderCount) open orders, \(fillCount) fills"
            + sessionPnLText() + killed
    }
}

extension Engine {
    /// `, session PnL BTCUSD 1.23` (realized after quote fees plus unrealized at mid, per
    /// traded symbol), or nothing before the first fill.
    func sessionPnLText() -> String {
        let parts = router.pnl.symbols.sorted { $0.key < $1.key }.compactMap { symbol, p -> String? in
            guard p.fillCount > 0 else { return nil }
            let open = mid(symbol).flatMap(p.unrealized(atMark:)) ?? .zero
            guard !p.isOverflowed, let net = p.realizedAfterFees?.addingReportingOverflow(open) else { return "\(symbol) ?" }
            return "\(symbol) \(net)"
        }
        return parts.isEmpty ? "" : ", session PnL " + parts.joined(separator: " ")
    }

    /// At stop: one line for the session (orders, fills, fees, realized PnL, final position
    /// per symbol), then one per traded symbol with the unrealized PnL at the last mid.
    /// Figures in each symbol's quote currency; `overflowed` when one could not be computed.
    func logSessionSummary() {
        let symbols = Set(router.pnl.symbols.keys).union(router.ordersSent.keys).sorted()
        func list(_ value: (Symbol) -> String) -> String { symbols.map { "\($0)=\(value($0))" }.joined(separator: ",") }
        let book = router.pnl.symbols
        log("engine").notice("session summary", metadata: [
            "event": "engine.session_summary",
            "orders": "\(router.ordersSent.values.reduce(0, +))",
            "fills": "\(book.values.reduce(0) { $0 + $1.fillCount })",
            "fees": "\(list { book[$0]?.quoteFees.description ?? "0" })",
            "realized": "\(list { book[$0].map { $0.isOverflowed ? "overflowed" : "\($0.realized)" } ?? "0" })",
            "positions": "\(list { book[$0]?.position.description ?? "0" })",
        ])
        for symbol in symbols {
            let p = book[symbol] ?? SymbolPnL()
            let mark = mid(symbol)
            var fields: Logger.Metadata = [
                "event": "engine.session_pnl", "symbol": "\(symbol)", "orders": "\(router.ordersSent[symbol] ?? 0)",
                "fills": "\(p.fillCount)", "volume": "\(p.volume)", "fees": "\(p.quoteFees)", "realized": "\(p.realized)",
                "position": "\(p.position)", "mark": "\(mark?.description ?? "")",
                "unrealized": "\(mark.flatMap(p.unrealized(atMark:))?.description ?? "")",
            ]
            if !p.otherFees.isEmpty {
                fields["other_fees"] = "\(p.otherFees.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
            }
            if p.isOverflowed { fields["reason"] = "overflowed" }
            log("engine").notice("session pnl", metadata: fields)
        }
    }
}

extension Engine {
    /// A decimal as a gauge's `Double` (its text, parsed: exact up to `Double`'s precision).
    static func metricValue(_ x: ExactDecimal) -> Double { Double(x.description) ?? 0 }

    /// The gauges that follow state, once a second. Decimals become `Double` here only:
    /// metrics are for graphs and alerts, never for money decisions.
    func sampleMetrics() {
        let t = now
        var positions: [(Symbol, Double, realized: Double, unrealized: Double, fees: Double)] = []
        for symbol in Set(router.pnl.symbols.keys).union(router.manager.ledger.positions.keys).sorted() {
            let p = router.pnl.symbols[symbol] ?? SymbolPnL()
            let base = router.manager.ledger.positions[symbol]?.base ?? .zero
            var unrealized = ExactDecimal.zero
            if let m = mid(symbol), let u = p.unrealized(atMark: m) { unrealized = u }
            positions.append((symbol, Engine.metricValue(base), realized: Engine.metricValue(p.realized),
                              unrealized: Engine.metricValue(unrealized), fees: Engine.metricValue(p.quoteFees)))
        }
        identity.metrics.sample(
            openOrders: openOrderCount, killSwitch: router.risk.killSwitchEngaged,
            feedAgesMs: [("market_data", connections.status.lastMarketDataMs.map { t - $0 }),
                         ("order_events", connections.status.lastOrderEventsMs.map { t - $0 })],
            positions: positions)
    }
}
