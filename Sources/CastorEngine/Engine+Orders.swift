import CastorCore
import CastorJournal
import CastorStrategy
import CastorTrading
import Dispatch
import Logging

extension Engine {
    /// Carries out the order manager's actions. Every REST answer goes back into the
    /// manager on the engine queue; the manager alone decides about resends, so a new
    /// order is only ever repeated after a lookup said "not found".
    func perform(_ actions: [OrderAction]) {
        dispatchPrecondition(condition: .onQueue(queue))
        for action in actions { perform(action) }
        if waiting.shutdown != nil { checkShutdownWait() }
    }

    private func perform(_ action: OrderAction) {
        switch action {
        case .send(let request):
            sendNewOrder(request, notBeforeMs: nil)
        case .resend(let request, let at):
            // A resend passes the same gates as a first placement: the kill switch and the
            // risk limits as they are now (the intent's deadline is the scheduler's).
            if let refusal = resendRefusal(request) {
                log("orders").warning("resend refused before sending", metadata: Engine.withEvent("orders.resend_refused", orderFields(request)
                    .merging(["reason": "\(resendRefusalCode())", "detail": "\(refusal)"]) { $1 }))
                return perform(router.manager.newOrderRefused(request.clientOrderID, reason: refusal, now: now))
            }
            log("orders").notice("resending order after lookup said not found (same client order id)",
                                 metadata: Engine.withEvent("orders.resend", orderFields(request)))
            sendNewOrder(request, notBeforeMs: at)
        case .lookup(let id, let at):
            enqueue("order lookup by client_order_id", kind: .query, notBeforeMs: at) { [weak self] venue, done in
                guard let self else { return }
                venue.lookup(clientOrderID: id, on: self.queue) { result in
                    self.noteOutcome(result.failureValue)
                    switch result {
                    case .success(let matches):
                        self.log("orders").info("lookup by client order id answered", metadata: ["event": "orders.lookup_answered",
                            "client_order_id": "\(id)", "reason": "found", "matches": "\(matches.count)",
                            "order_ids": "\(matches.map(\.orderID.description).joined(separator: ","))"])
                        self.perform(self.router.manager.lookupResult(id, candidates: matches, now: self.now))
                    case .failure(let e):
                        let answer: LookupResult = e.classification == .orderNotFound ? .notFound : .failed(e)
                        self.log("orders").info("lookup by client order id answered",
                                                metadata: ["event": "orders.lookup_answered", "client_order_id": "\(id)",
                                                           "reason": "\(answer.code)", "detail": "\(answer.summary)"])
                        self.perform(self.router.manager.lookupResult(id, answer, now: self.now))
                    }
                    done()
                }
            }
        case .queryOrder(let orderID, let at):
            enqueue("order lookup by order_id", kind: .query, notBeforeMs: at) { [weak self] venue, done in
                guard let self else { return }
                venue.lookup(orderID: orderID, on: self.queue) { result in
                    let answer: LookupResult
                    switch result {
                    case .success(let s): answer = .found(s)
                    case .failure(let e): answer = e.classification == .orderNotFound ? .notFound : .failed(e)
                    }
                    self.noteOutcome(result.failureValue)
                    self.perform(self.router.manager.queryResult(orderID: orderID, answer, now: self.now))
                    done()
                }
            }
        case .sendCancel(let orderID, let at):
            sendCancel(orderID: orderID, notBeforeMs: at, why: "requested")
        case .cancelDuplicate(let orderID):
            sendCancel(orderID: orderID, notBeforeMs: nil, why: "duplicate")
        case .cancelUnknown(let orderID):
            sendCancel(orderID: orderID, notBeforeMs: nil, why: "orphan")
        case .withdrawQueued(let id):
            if withdrawQueuedNewOrder(id) { perform(router.manager.newOrderDropped(id, now: now)) }
        case .notifyStrategy(let update):
            handle(update)
        case .reject(let id, let rejection):
            rejected(id, rejection)
        case .alert(let message):
            alert(message)
        case .expectedRace(let m): log("orders").debug("order manager: expected race", metadata: ["event": "orders.expected_race", "detail": "\(m)"])
        }
    }

    /// Why `request` must not be resent now, or nil: the kill switch, the engine not
    /// running, or a risk limit (checked against the exposure of every other open order).
    func resendRefusal(_ request: NewOrderRequest) -> String? {
        if let refusal = newOrderGate() { return refusal }
        let intent = OrderIntent(symbol: request.symbol, side: request.side, amount: request.amount, price: request.price,
                                 option: request.option,
                                 deadlineMs: request.deadlineMs)
        var exposure = router.manager.exposure(request.symbol)
        if let own = router.manager.order(request.clientOrderID)?.lifecycle, own.phase.isOpen {
            exposure.openOrders -= 1
            if own.side == .buy { exposure.openBuy -= own.remaining } else { exposure.openSell -= own.remaining }
        }
        let context = RiskContext(mid: mid(request.symbol), position: router.manager.ledger.position(request.symbol).base,
                                  openOrders: exposure.openOrders, openBuyAmount: exposure.openBuy,
                                  openSellAmount: exposure.openSell)
        if case .refuse(let rule, let detail) = router.risk.admit(intent, context: context, now: now) {
            return "risk \(rule.rawValue): \(detail)"
        }
        return nil
    }

    /// Which gate of `resendRefusal` refused: `kill_switch`, `not_running` or `risk`.
    private func resendRefusalCode() -> String {
        if router.risk.killSwitchEngaged { return "kill_switch" }
        return phase == .running ? "risk" : "not_running"
    }

    func alert(_ message: String) {
        log("orders").error("order manager alert", metadata: ["event": "orders.alert", "detail": "\(message)"])
    }

    private func sendNewOrder(_ request: NewOrderRequest, notBeforeMs: Int64?) {
        let id = request.clientOrderID
        log("orders").info("order queued", metadata: Engine.withEvent("orders.queued", orderFields(request)))
        if notBeforeMs == nil {
            router.ordersSent[request.symbol, default: 0] += 1
            identity.metrics.orderSent(request.symbol, request.side)
        }
        enqueue("order placement", kind: .newOrder, notBeforeMs: notBeforeMs, deadlineMs: request.deadlineMs,
                newOrderID: id) { [weak self] venue, done in
            guard let self else { return }
            TickTrace.shared.mark(.dispatched)
            venue.place(request, on: self.queue) { result in
                switch result {
                case .success(let snapshot):
                    self.noteOutcome(nil)
                    self.perform(self.router.manager.newOrderAccepted(id, status: snapshot, now: self.now))
                case .failure(let error):
                    self.log("orders").warning("order send failed; the order manager decides (lookup before any resend)",
                                               metadata: Engine.withEvent("orders.send_failed", self.orderFields(request).merging(
                                                   ["reason": "\(error.code)", "detail": "\(error)",
                                                    "may_have_executed": "\(error.mayHaveExecuted)"]) { $1 }))
                    self.noteOutcome(error)
                    self.perform(self.router.manager.newOrderFailed(id, failure: error, now: self.now))
                }
                done()
            }
        }
    }

    /// `why` is a short code: the `reason` of `orders.cancel_queued`.
    private func sendCancel(orderID: VenueOrderID, notBeforeMs: Int64?, why: String) {
        let owner = router.manager.clientOrderID(forOrderID: orderID)
        log("orders").info("cancel queued", metadata: ["event": "orders.cancel_queued", "order_id": "\(orderID)", "client_order_id": "\(owner?.rawValue ?? "")",
                                                        "reason": "\(why)"])
        if notBeforeMs == nil { identity.metrics.orderRequestQueued() }
        enqueue("order cancel", kind: .cancel, notBeforeMs: notBeforeMs) { [weak self] venue, done in
            guard let self else { return }
            venue.cancel(orderID: orderID, on: self.queue) { result in
                if case .failure(let e) = result {
                    self.log("orders").warning("cancel failed", metadata: ["event": "orders.cancel_failed", "order_id": "\(orderID)",
                                                                          "reason": "\(e.code)", "detail": "\(e)"])
                }
                self.noteOutcome(result.failureValue)
                self.perform(self.router.manager.cancelResult(orderID: orderID, result, now: self.now))
                done()
            }
        }
    }

    func orderFields(_ r: NewOrderRequest) -> Logger.Metadata {
        ["symbol": "\(r.symbol)", "client_order_id": "\(r.clientOrderID)", "side": "\(r.side.rawValue)",
         "price": "\(r.price)", "amount": "\(r.amount)"]
    }

    // MARK: News

    private func handle(_ update: OrderManagerUpdate) {
        switch update {
        case .transition(let t):
            journalTransition(t)
            guard let managed = router.manager.order(t.clientOrderID) else { return }
            let l = managed.lifecycle
            // Built inside the log call's autoclosure: below info (the bench, a quiet daemon)
            // the eight interpolated fields cost nothing on the order path.
            if t.phaseChanged {
                log("orders").info("order \(t.to)", metadata: [
                    "event": "orders.transition", "symbol": "\(l.symbol)", "client_order_id": "\(t.clientOrderID)",
                    "order_id": "\(t.orderID?.description ?? "")", "side": "\(l.side.rawValue)", "price": "\(l.price)",
                    "amount": "\(l.originalAmount)", "detail": "\(t.cause)", "executed": "\(t.executedAfter)",
                ])
            }
            reportToStrategy(t.clientOrderID)
        case .fill(let fill):
            recordFill(fill)
        case .duplicateDetected(let id, let kept, let duplicate):
            log("orders").error("two exchange orders carry one client order id; cancelling the second",
                                metadata: ["event": "orders.duplicate", "client_order_id": "\(id)", "order_id": "\(duplicate)",
                                           "kept_order_id": "\(kept)"])
        case .unknownOrder(let orderID, let clientOrderID, let ours):
            if ours {
                log("orders").warning("open order with our prefix but no intent (orphan); cancelling it", metadata: [
                    "event": "orders.orphan", "order_id": "\(orderID)", "client_order_id": "\(clientOrderID ?? "")"])
            } else {
                log("orders").info("order not placed by this instance; left alone", metadata: [
                    "event": "orders.foreign", "order_id": "\(orderID)", "client_order_id": "\(clientOrderID ?? "")"])
            }
        case .foreignFill(let fill):
            log("orders").info("fill of an order not placed by this instance; not counted", metadata: [
                "event": "orders.foreign_fill", "trade_id": "\(fill.tradeID)", "order_id": "\(fill.orderID)",
                "client_order_id": "\(fill.clientOrderID?.rawValue ?? "")", "symbol": "\(fill.symbol)",
                "side": "\(fill.side.rawValue)", "price": "\(fill.price)", "amount": "\(fill.amount)"])
        }
    }

    private func rejected(_ id: ClientOrderID, _ rejection: OrderRejection) {
        let reason = rejection.summary
        var fields: Logger.Metadata = ["client_order_id": "\(id)", "reason": "\(rejection.code)", "detail": "\(reason)"]
        if let l = router.manager.order(id)?.lifecycle {
            fields["symbol"] = "\(l.symbol)"
            fields["side"] = "\(l.side.rawValue)"
            fields["price"] = "\(l.price)"
            fields["amount"] = "\(l.originalAmount)"
        }
        log("orders").warning("order rejected", metadata: Engine.withEvent("orders.rejected", fields))
        journalState(id, orderID: router.manager.order(id)?.lifecycle.orderID, state: .rejected, reason: reason)
        reportToStrategy(id, rejectReason: reason)
    }

    /// Journals the fill (synced; the trade id is the key, so it counts once across
    /// restarts) and tells the strategy about our own.
    private func recordFill(_ fill: LedgerFill) {
        let owner = fill.clientOrderID ?? router.manager.clientOrderID(forOrderID: fill.orderID)
        let fields: Logger.Metadata = ["symbol": "\(fill.symbol)", "client_order_id": "\(owner?.rawValue ?? "")",
                                       "order_id": "\(fill.orderID)", "side": "\(fill.side.rawValue)",
                                       "price": "\(fill.price)", "amount": "\(fill.amount)",
                                       "trade_id": "\(fill.tradeID)", "reason": "\(fill.source.rawValue)"]
        log("orders").notice("order filled", metadata: Engine.withEvent("orders.filled", fields))
        identity.metrics.fill(fill.symbol, fill.side)
        market.balanceRefresh.filled(atMs: now)
        router.pnl.record(fill, feeIsQuote: router.manager.ledger.isQuote((fill.feeCurrency ?? "").uppercased(), of: fill.symbol))
        if let journal = journaling.journal {
            do {
                try journal.recordFill(JournalFill(
                    tradeID: fill.tradeID.rawValue, orderID: fill.orderID.description, clientOrderID: owner?.rawValue,
                    symbol: fill.symbol.rawValue, side: fill.side, price: fill.price,
                    amount: fill.amount, fee: fill.fee, feeCurrency: fill.feeCurrency ?? "",
                    liquidity: fill.isMaker.map { $0 ? .maker : .taker }, timestampMs: fill.timestampMs ?? now))
            } catch {
                journalFailed(error, what: "fill \(fill.tradeID)")
            }
        }
        guard let owner, router.intents[owner] != nil else { return }
        let view = Fill(
            tradeID: fill.tradeID.rawValue, clientOrderID: owner.rawValue, exchangeOrderID: fill.orderID.description,
            symbol: fill.symbol.rawValue, side: fill.side, price: fill.price,
            amount: fill.amount, fee: fill.fee, feeCurrency: fill.feeCurrency ?? "",
            liquidity: fill.isMaker.map { $0 ? .maker : .taker } ?? .unknown, timestampMs: fill.timestampMs ?? now)
        deliver(.fill(view))
    }

    /// Tells the strategy about a changed order state, once per state.
    func reportToStrategy(_ id: ClientOrderID, rejectReason: String? = nil) {
        guard var info = router.intents[id], let managed = router.manager.order(id) else { return }
        let state = rejectReason != nil ? .rejected : Engine.strategyState(managed.lifecycle)
        guard state != info.reported, !info.reported.isTerminal else { return }
        info.reported = state
        router.intents[id] = info
        let kind: OrderUpdate.Kind
        switch state {
        case .pending: return
        case .accepted: kind = .accepted
        case .booked: kind = .booked
        case .partiallyFilled: kind = .partiallyFilled
        case .filled: kind = .filled
        case .cancelled: kind = .cancelled(reason: managed.lifecycle.outcome?.reasonText)
        case .rejected: kind = .rejected(reason: rejectReason ?? managed.lifecycle.outcome?.reasonText ?? "rejected")
        }
        var view = orderView(managed, info: info)
        view.state = state
        deliver(.update(OrderUpdate(kind: kind, order: view, timestampMs: now)))
    }

    // MARK: Journal

    private func journalTransition(_ t: OrderTransition) {
        guard t.phaseChanged, let state = Engine.journalState(t.to) else { return }
        journalState(t.clientOrderID, orderID: t.orderID, state: state, reason: t.cause, executed: t.executedAfter)
    }

    /// Journals an order state event (deferred durability) on the writer queue, after the
    /// order's intent (same serial queue) and off the engine queue.
    func journalState(_ id: ClientOrderID, orderID: VenueOrderID?, state: JournalOrderState, reason: String?,
                      executed: ExactDecimal? = nil) {
        guard let journal = journaling.journal else { return }
        let event = JournalOrderEvent(clientOrderID: id.rawValue, orderID: orderID?.description, state: state,
                                      executed: executed, reason: reason, timestampMs: now, source: .rest)
        journaling.writer.async { [weak self] in
            do { try journal.recordOrderState(event) } catch {
                guard let self else { return }
                self.queue.async { self.journalFailed(error, what: "order state of \(id)") }
            }
        }
    }

    /// A journal that cannot be written cannot protect the next restart: stop trading.
    func journalFailed(_ error: any Error, what: String) {
        log("journal").critical("journal write failed; engaging the kill switch",
                                metadata: ["event": "journal.write_failed", "reason": "journal_error", "what": "\(what)",
                                           "detail": "\(error)"])
        if !router.risk.killSwitchEngaged { engageKillSwitch(true, cause: .journalWriteFailed, detail: "journal write failed: \(error)") }
    }

    static func journalState(_ phase: OrderPhase) -> JournalOrderState? {
        switch phase {
        case .pendingNew, .uncertain: nil
        case .accepted: .accepted
        case .booked: .booked
        case .partiallyFilled: .partiallyFilled
        case .pendingCancel: .cancelPending
        case .filled: .filled
        case .cancelled: .cancelled
        case .rejected: .rejected
        case .closed: .closed
        }
    }
}

extension LookupResult {
    /// A short code for the log's `reason`: `found`, `not_found`, `failed`.
    var code: String {
        switch self {
        case .found: "found"
        case .notFound: "not_found"
        case .failed: "failed"
        }
    }

    var summary: String {
        switch self {
        case .found(let s): "found \(s.orderID) live=\(s.state == .open) cancelled=\(s.state == .cancelled)"
        case .notFound: "not found"
        case .failed(let f): "failed: \(f)"
        }
    }
}

extension OrderRejection {
    /// A short code for the log's `reason`: the venue's reason for its refusals, else the case.
    var code: String {
        switch self {
        case .exchange(let reason, _): reason?.rawValue ?? "exchange"
        case .expired: "expired"
        case .halted: "maintenance_halt"
        case .cancelledBeforePlacement: "cancelled_before_placement"
        case .invalid: "invalid"
        case .notPlacedBeforeRestart: "not_placed_before_restart"
        case .refused: "refused"
        }
    }

    var summary: String {
        switch self {
        case .exchange(let reason, let why): "\(reason?.rawValue ?? "exchange"): \(why)"
        case .expired: "expired before it could be sent"
        case .halted(let until): "new orders halted (maintenance) until \(until)"
        case .cancelledBeforePlacement: "cancelled before placement"
        case .invalid(let why): "invalid: \(why)"
        case .notPlacedBeforeRestart: "not placed before the restart (an intent from before a restart is never sent)"
        case .refused(let why): "refused before sending: \(why)"
        }
    }
}

extension TerminalOutcome {
    var reasonText: String? {
        switch self {
        case .filled: nil
        case .cancelled(let r), .rejected(let r): r?.rawValue
        }
    }
}
