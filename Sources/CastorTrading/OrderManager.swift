import CastorCore

/// Tracks every order of this daemon: client order id ↔ order id, lifecycles, fills
/// (via a `FillLedger`), cancels, uncertain sends and duplicates. Pure: inputs in,
/// `[OrderAction]` out; `now` is injected, jitter comes from a seeded generator.
///
/// A value type: the engine owns exactly one and mutates it only on its serial queue.
public struct OrderManager: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var retry: RetryPolicy
        /// Wait before fetching fills the exchange reported but no event delivered.
        public var missingFillGraceMs: Int64
        /// Cancel open exchange orders with our prefix that no intent owns (orphans).
        public var cancelUnknownOwnOrders: Bool

        public init(retry: RetryPolicy = RetryPolicy(), missingFillGraceMs: Int64 = 2_000,
                    cancelUnknownOwnOrders: Bool = true) {
            self.retry = retry
            self.missingFillGraceMs = missingFillGraceMs
            self.cancelUnknownOwnOrders = cancelUnknownOwnOrders
        }
    }

    /// One intent and its bookkeeping.
    public struct ManagedOrder: Sendable, Hashable {
        public internal(set) var lifecycle: OrderLifecycle
        public let intent: OrderIntent
        public internal(set) var lastFailure: VenueFailure?
        public internal(set) var resends = 0
        public internal(set) var nonceResent = false
        public internal(set) var lookupAttempts = 0
        public internal(set) var cancelWhenKnown = false
        public internal(set) var cancelAttempts = 0
        var fillQueryPending = false
        var queryAttempts = 0
        /// New-order sends and lookups by client order id whose answer has not come back
        /// yet. A closed order is kept until this is zero, so a late answer (an IOC's
        /// reply arriving after the feed closed it) still finds it instead of being
        /// reported as an unknown order.
        var repliesPending = 0
        /// Rebuilt from the journal after a restart: never sent (or resent) by this
        /// process. A lookup that does not find it closes it (`notPlacedBeforeRestart`).
        public internal(set) var restored = false
    }

    /// Changeable between inputs (a reload of `[rate_limits] maintenance_pause`).
    public var configuration: Configuration
    public private(set) var generator: ClientOrderIDGenerator
    public private(set) var ledger: FillLedger
    public internal(set) var orders: [ClientOrderID: ManagedOrder] = [:]
    /// Exchange order id → the intent it belongs to (primary orders only).
    public internal(set) var clientIDByOrderID: [VenueOrderID: ClientOrderID] = [:]
    /// Extra exchange orders found for an intent: order id → intent.
    public internal(set) var duplicates: [VenueOrderID: ClientOrderID] = [:]
    /// Open exchange orders of ours that no intent owns, by order id (see `OrphanOrder`).
    public internal(set) var orphans: [VenueOrderID: OrphanOrder] = [:]
    public private(set) var haltNewOrdersUntilMs: Int64?
    private var rng: SeededRandom
    var reportedUnknown = RecentKeys<VenueOrderID>(capacity: OrderManager.recentCapacity)
    var reportedForeignTrades = RecentKeys<TradeID>(capacity: OrderManager.recentCapacity)
    /// Order ids of intents already removed (`removeClosed`), oldest first: their mappings
    /// are kept this long so late events are still recognised, then forgotten.
    var retiredOrderIDs = RecentKeys<VenueOrderID>(capacity: OrderManager.recentCapacity)
    var cancelAttemptsByOrderID: [VenueOrderID: Int] = [:]

    /// How many finished orders' ids (and reported unknown orders and foreign trades) are
    /// remembered. Memory stays flat however long the daemon runs; a message about an order
    /// finished longer ago than that still counts its fill when its client order id carries
    /// our prefix (Gemini echoes it on every event and trade).
    public static let recentCapacity = 10_000

    public init(generator: ClientOrderIDGenerator, ledger: FillLedger = FillLedger(),
                configuration: Configuration = Configuration(), seed: UInt64) {
        self.generator = generator
        self.ledger = ledger
        self.configuration = configuration
        self.rng = SeededRandom(seed: seed)
    }

    // MARK: Queries

    public func order(_ id: ClientOrderID) -> ManagedOrder? { orders[id] }

    public func clientOrderID(forOrderID orderID: VenueOrderID) -> ClientOrderID? { clientIDByOrderID[orderID] }

    /// Open (or possibly open) orders in `symbol`, with their unfilled amounts per side,
    /// for the risk checker. Orphans count too, until the exchange reports them finished;
    /// one whose side no report named counts on both sides.
    public func exposure(_ symbol: Symbol) -> (openOrders: Int, openBuy: ExactDecimal, openSell: ExactDecimal) {
        var n = 0, buy = ExactDecimal.zero, sell = ExactDecimal.zero
        for o in orders.values where o.lifecycle.symbol == symbol && o.lifecycle.phase.isOpen {
            n += 1
            if o.lifecycle.side == .buy { buy.addSaturating(o.lifecycle.remaining) } else { sell.addSaturating(o.lifecycle.remaining) }
        }
        for o in orphans.values where o.symbol == symbol {
            n += 1
            if o.side != .sell { buy.addSaturating(o.remaining) }
            if o.side != .buy { sell.addSaturating(o.remaining) }
        }
        return (n, buy, sell)
    }

    /// Local orders as the reconciler needs them.
    public var localOrders: [LocalOrderView] {
        orders.values.filter { $0.lifecycle.phase != .closed }.map {
            LocalOrderView(clientOrderID: $0.lifecycle.clientOrderID, orderID: $0.lifecycle.orderID,
                           symbol: $0.lifecycle.symbol, phase: $0.lifecycle.phase)
        }.sorted { $0.clientOrderID < $1.clientOrderID }
    }

    // MARK: Strategy inputs

    /// Places an intent: `.send` (or `.reject` when halted, stale or un-nameable).
    public mutating func submit(_ intent: OrderIntent, now: Int64) -> (ClientOrderID?, [OrderAction]) {
        let id: ClientOrderID
        do { id = try generator.next() } catch {
            return (nil, [.alert("cannot make a client order id: \(error)")])
        }
        if let halt = haltNewOrdersUntilMs, now < halt { return (id, [.reject(id, .halted(untilMs: halt))]) }
        if let d = intent.deadlineMs, now > d { return (id, [.reject(id, .expired)]) }
        var managed = ManagedOrder(lifecycle: OrderLifecycle(clientOrderID: id, symbol: intent.symbol, side: intent.side,
                                                            price: intent.price, amount: intent.amount), intent: intent)
        _ = managed.lifecycle.markSent()
        managed.repliesPending = 1
        orders[id] = managed
        return (id, [.send(NewOrderRequest(id, intent))])
    }

    /// Re-creates an intent from the journal after a restart. Without an order id its send
    /// outcome is unknown, so it starts `uncertain` and the next reconciliation looks it up.
    /// It is never resent: found, it is adopted; not found, it is closed as
    /// `notPlacedBeforeRestart` (a restart never sends an old intent).
    public mutating func restore(_ intent: OrderIntent, clientOrderID id: ClientOrderID, orderID: VenueOrderID?,
                                 lastFailure: VenueFailure = .timeout) {
        var managed = ManagedOrder(lifecycle: OrderLifecycle(clientOrderID: id, symbol: intent.symbol, side: intent.side,
                                                            price: intent.price, amount: intent.amount), intent: intent)
        _ = managed.lifecycle.markSent()
        managed.restored = true
        if let orderID {
            _ = managed.lifecycle.bindRestored(orderID: orderID)
            clientIDByOrderID[orderID] = id
        } else {
            _ = managed.lifecycle.markUncertain(cause: "restored without order id")
            managed.lastFailure = lastFailure
        }
        orders[id] = managed
    }

    /// Cancels an intent's order, now if its order id is known, else as soon as it is.
    public mutating func cancel(_ id: ClientOrderID, now: Int64) -> [OrderAction] {
        guard var o = orders[id] else { return [.alert("cancel for unknown client order id \(id)")] }
        guard o.lifecycle.outcome == nil else { return [] }
        var actions: [OrderAction] = []
        if let orderID = o.lifecycle.orderID, o.lifecycle.acknowledged {
            notify(o.lifecycle.markCancelRequested(), &actions)
            o.cancelAttempts = 0
            orders[id] = o
            actions.append(.sendCancel(orderID: orderID, notBeforeMs: now))
        } else {
            o.cancelWhenKnown = true
            orders[id] = o
            if !o.lifecycle.isUncertain { actions.append(.withdrawQueued(id)) }
        }
        return actions
    }

    /// Cancels every open order (kill switch, shutdown), orphans included.
    public mutating func cancelAll(now: Int64) -> [OrderAction] {
        var actions: [OrderAction] = []
        for id in orders.keys.sorted() where orders[id]!.lifecycle.phase.isOpen {
            actions += cancel(id, now: now)
        }
        for orderID in orphans.keys.sorted() where !orphans[orderID]!.cancelRequested {
            orphans[orderID]!.cancelRequested = true
            actions.append(.cancelUnknown(orderID: orderID))
        }
        return actions
    }

    // MARK: REST inputs

    /// The scheduler dropped the new-order request unsent (deadline) or it was withdrawn.
    public mutating func newOrderDropped(_ id: ClientOrderID, now: Int64) -> [OrderAction] {
        // The send will never be answered.
        replyArrived(id)
        guard var o = orders[id], !o.lifecycle.acknowledged, o.lifecycle.outcome == nil else { return [] }
        let reason: OrderRejection = o.cancelWhenKnown ? .cancelledBeforePlacement : .expired
        var actions: [OrderAction] = []
        notify(o.lifecycle.rejectLocally(nil, cause: "dropped unsent"), &actions)
        orders[id] = o
        actions.append(.reject(id, reason))
        return actions
    }

    /// `/v1/order/new` answered with an order.
    public mutating func newOrderAccepted(_ id: ClientOrderID, status: OrderSnapshot, now: Int64) -> [OrderAction] {
        guard orders[id] != nil else { return [.alert("new-order reply for unknown client order id \(id)")] }
        replyArrived(id)
        var actions: [OrderAction] = []
        applyStatus(status, to: id, cause: "new-order reply", now: now, &actions)
        return actions
    }

    /// `/v1/order/new` failed (error body, HTTP error, timeout, network).
    public mutating func newOrderFailed(_ id: ClientOrderID, failure: VenueFailure, now: Int64) -> [OrderAction] {
        replyArrived(id)
        guard var o = orders[id] else { return [.alert("new-order failure for unknown client order id \(id)")] }
        if o.lifecycle.acknowledged || o.lifecycle.outcome != nil {
            return [.alert("new-order failure (\(failure)) for \(id), which the exchange already reported; ignored")]
        }
        o.lastFailure = failure
        let decision = configuration.retry.decide(failure, kind: .newOrder, attempt: o.resends, now: now, rng: &rng)
        applyHalt(decision)
        var actions: [OrderAction] = []
        switch decision.action {
        case .lookupBeforeResend(let at):
            notify(o.lifecycle.markUncertain(cause: "new order failed: \(failure)"), &actions)
            o.lookupAttempts = 0
            o.repliesPending += 1
            orders[id] = o
            actions.append(.lookup(id, notBeforeMs: at))
        case .giveUp, .retry, .retryWithNewNonce:
            // Only an authentication refusal gets here: it cannot have executed.
            notify(o.lifecycle.rejectLocally(failure.reason, cause: decision.explanation), &actions)
            orders[id] = o
            actions.append(.reject(id, .exchange(failure.reason, decision.explanation)))
        }
        return actions
    }

    /// The answer to `.lookup(id)` (status by client order id).
    public mutating func lookupResult(_ id: ClientOrderID, _ result: LookupResult, now: Int64) -> [OrderAction] {
        replyArrived(id)
        guard var o = orders[id] else { return [.alert("lookup result for unknown client order id \(id)")] }
        var actions: [OrderAction] = []
        switch result {
        case .found(let status):
            applyStatus(status, to: id, cause: "lookup", now: now, &actions)
        case .notFound:
            if o.lifecycle.acknowledged || o.lifecycle.outcome != nil { return [] }
            guard o.lifecycle.isUncertain else {
                // Only a failed send may be resent; a request still queued or in flight
                // will answer for itself.
                return [.alert("lookup of \(id) said not found while its send is still pending; ignored")]
            }
            if o.cancelWhenKnown {
                notify(o.lifecycle.rejectLocally(nil, cause: "cancelled before placement"), &actions)
                orders[id] = o
                actions.append(.reject(id, .cancelledBeforePlacement))
                return actions
            }
            if o.restored {
                notify(o.lifecycle.rejectLocally(nil, cause: "not placed before the restart"), &actions)
                orders[id] = o
                actions.append(.reject(id, .notPlacedBeforeRestart))
                return actions
            }
            let failure = o.lastFailure ?? .timeout
            let decision = configuration.retry.afterLookupNotFound(lastFailure: failure, resends: o.resends,
                                                                   nonceResent: o.nonceResent, now: now, rng: &rng)
            switch decision {
            case .resend(let at):
                if let d = o.intent.deadlineMs, at > d {
                    notify(o.lifecycle.rejectLocally(nil, cause: "stale: not resent"), &actions)
                    orders[id] = o
                    actions.append(.reject(id, .expired))
                } else if let halt = haltNewOrdersUntilMs, at < halt {
                    notify(o.lifecycle.rejectLocally(.maintenance, cause: "halted: not resent"), &actions)
                    orders[id] = o
                    actions.append(.reject(id, .halted(untilMs: halt)))
                } else {
                    o.resends += 1
                    o.repliesPending += 1
                    if failure.classification == .retryWithNewNonce { o.nonceResent = true }
                    notify(o.lifecycle.markResending(), &actions)
                    _ = o.lifecycle.markSent()
                    orders[id] = o
                    actions.append(.resend(NewOrderRequest(id, o.intent), notBeforeMs: at))
                }
            case .giveUp(let reason, let why):
                notify(o.lifecycle.rejectLocally(reason, cause: why), &actions)
                orders[id] = o
                actions.append(.reject(id, .exchange(reason, why)))
            }
        case .failed(let failure):
            let d = configuration.retry.decide(failure, kind: .query, attempt: o.lookupAttempts, now: now, rng: &rng)
            o.lookupAttempts += 1
            switch d.action {
            case .retry, .retryWithNewNonce: o.repliesPending += 1
            case .giveUp, .lookupBeforeResend: break
            }
            orders[id] = o
            switch d.action {
            case .retry(let at): actions.append(.lookup(id, notBeforeMs: at))
            case .retryWithNewNonce: actions.append(.lookup(id, notBeforeMs: now))
            case .giveUp, .lookupBeforeResend:
                actions.append(.alert("order \(id) is uncertain and lookups keep failing (\(failure)); "
                    + "it stays uncertain (never resent) until a reconciliation resolves it"))
            }
        }
        return actions
    }

    /// The answer to `.lookup(id)` as Gemini gives it: every order of the account carrying
    /// the client order id (ids may be reused). Only orders whose immutable fields (symbol,
    /// side, limit price, original amount, options) match the intent are adopted; the first
    /// binds, any further one is a duplicate (cancelled). Others are reported, never
    /// adopted; with none matching the intent counts as not found.
    public mutating func lookupResult(_ id: ClientOrderID, candidates: [OrderSnapshot], now: Int64) -> [OrderAction] {
        guard let o = orders[id] else {
            replyArrived(id)
            return [.alert("lookup result for unknown client order id \(id)")]
        }
        var actions: [OrderAction] = []
        var matching: [OrderSnapshot] = []
        for status in candidates {
            if let difference = OrderManager.immutableDifference(status, o.intent) {
                actions.append(.alert("order \(status.orderID) carries client order id \(id) but its \(difference) "
                    + "differs from the intent; not adopted"))
            } else {
                matching.append(status)
            }
        }
        guard let first = matching.first else { return actions + lookupResult(id, .notFound, now: now) }
        actions += lookupResult(id, .found(first), now: now)
        for extra in matching.dropFirst() { applyStatus(extra, to: id, cause: "lookup", now: now, &actions) }
        return actions
    }

    /// The first immutable field in which `status` differs from `intent`, or nil when it is
    /// the order the intent describes.
    public static func immutableDifference(_ status: OrderSnapshot, _ intent: OrderIntent) -> String? {
        if status.symbol != intent.symbol { return "symbol (\(status.symbol))" }
        if status.side != intent.side { return "side (\(status.side))" }
        if let price = status.price, price != intent.price { return "price (\(price))" }
        if let amount = status.originalAmount, amount != intent.amount { return "original amount (\(amount))" }
        let options = intent.option.map { [$0.rawValue] } ?? []
        if status.options.map({ $0.lowercased() }) != options { return "options (\(status.options))" }
        return nil
    }

    /// A new-order request (first send or resend) taken from the queue but not sent: the
    /// kill switch, a risk limit or the engine's phase refused it at the last moment. It
    /// never reached the exchange, so the intent is finished without an order.
    public mutating func newOrderRefused(_ id: ClientOrderID, reason: String, now: Int64) -> [OrderAction] {
        replyArrived(id)
        guard var o = orders[id], !o.lifecycle.acknowledged, o.lifecycle.outcome == nil else { return [] }
        var actions: [OrderAction] = []
        notify(o.lifecycle.rejectLocally(nil, cause: "refused before sending: \(reason)"), &actions)
        orders[id] = o
        actions.append(.reject(id, .refused(reason)))
        return actions
    }

    /// The answer to `.queryOrder(orderID)`.
    public mutating func queryResult(orderID: VenueOrderID, _ result: LookupResult, now: Int64) -> [OrderAction] {
        let owner = clientIDByOrderID[orderID] ?? duplicates[orderID]
        var actions: [OrderAction] = []
        switch result {
        case .found(let status):
            if let owner {
                if orders[owner]?.lifecycle.orderID == orderID { orders[owner]?.fillQueryPending = false }
                applyStatus(status, to: owner, cause: "status query", now: now, &actions)
            } else if owns(orderID: orderID, clientOrderID: status.clientOrderID) {
                recordTrades(of: status, clientOrderID: nil, &actions)
                trackOrphan(status, &actions)
            } else {
                reportForeign(fills(of: status, clientOrderID: nil), &actions)
            }
        case .notFound:
            actions.append(.alert("order \(orderID) (\(owner?.rawValue ?? "no intent")) not found on the exchange"))
        case .failed(let failure):
            guard let owner, var o = orders[owner] else { return [] }
            let d = configuration.retry.decide(failure, kind: .query, attempt: o.queryAttempts, now: now, rng: &rng)
            o.queryAttempts += 1
            orders[owner] = o
            switch d.action {
            case .retry(let at): actions.append(.queryOrder(orderID: orderID, notBeforeMs: at))
            case .retryWithNewNonce: actions.append(.queryOrder(orderID: orderID, notBeforeMs: now))
            case .giveUp, .lookupBeforeResend: actions.append(.alert("status of \(orderID) unavailable: \(failure)"))
            }
        }
        return actions
    }

    /// The answer to `.sendCancel` / `.cancelDuplicate` / `.cancelUnknown`.
    public mutating func cancelResult(orderID: VenueOrderID, _ result: Result<OrderSnapshot, VenueFailure>, now: Int64) -> [OrderAction] {
        let owner = clientIDByOrderID[orderID] ?? duplicates[orderID]
        var actions: [OrderAction] = []
        switch result {
        case .success(let status):
            cancelAttemptsByOrderID[orderID] = nil
            if let owner {
                applyStatus(status, to: owner, cause: "cancel reply", now: now, &actions)
            } else if orphans[orderID] != nil {
                recordTrades(of: status, clientOrderID: nil, &actions)
                trackOrphan(status, &actions)
            }
        case .failure(let failure):
            let attempt = cancelAttemptsByOrderID[orderID, default: 0]
            let d = configuration.retry.decide(failure, kind: .cancel, attempt: attempt, now: now, rng: &rng)
            cancelAttemptsByOrderID[orderID] = attempt + 1
            switch d.action {
            case .retry(let at): actions.append(.sendCancel(orderID: orderID, notBeforeMs: at))
            case .retryWithNewNonce: actions.append(.sendCancel(orderID: orderID, notBeforeMs: now))
            case .giveUp, .lookupBeforeResend:
                if failure.classification == .orderNotFound {
                    // Gone already (filled or cancelled): learn how, with its trades.
                    actions.append(.queryOrder(orderID: orderID, notBeforeMs: now))
                } else {
                    actions.append(.alert("cancel of \(orderID) failed for good: \(failure)"))
                }
                if let owner, clientIDByOrderID[orderID] != nil, var o = orders[owner] {
                    notify(o.lifecycle.markCancelFailed(cause: "cancel failed: \(failure)"), &actions)
                    orders[owner] = o
                }
            }
        }
        return actions
    }

    // MARK: Order events

    /// One event from `/v1/order/events` (call for each event of a batch, in order).
    public mutating func handle(event: OrderReport, now: Int64) -> [OrderAction] {
        var actions: [OrderAction] = []
        if let owner = route(orderID: event.orderID, clientOrderID: event.clientOrderID, &actions) {
            if duplicates[event.orderID] != nil {
                if event.kind == .fill, let fill = LedgerFill(event: event, knownSide: orders[owner]?.lifecycle.side) {
                    record(fill, &actions)
                }
                return actions
            }
            guard var o = orders[owner] else {
                // Finished and removed from memory, but ours: a late fill still counts.
                if event.kind == .fill, let fill = LedgerFill(event: event) { record(fill, &actions) }
                return actions
            }
            let finishedWithoutOrder = o.lifecycle.finishedWithoutOrder
            if event.kind == .fill {
                if let fill = LedgerFill(event: event, knownSide: o.lifecycle.side) {
                    if case .applied = record(fill, &actions) {
                        notify(o.lifecycle.applyNewFill(amount: fill.amount, orderID: fill.orderID), &actions)
                    }
                } else {
                    actions.append(.alert("fill event without fill data for \(event.orderID)"))
                }
            }
            notify(o.lifecycle.apply(event: event), &actions)
            orders[owner] = o
            followUps(owner, now: now, &actions)
            if finishedWithoutOrder || orphans[event.orderID] != nil { trackOrphan(event, &actions) }
        } else if owns(orderID: event.orderID, clientOrderID: event.clientOrderID) {
            if event.kind == .fill, let fill = LedgerFill(event: event, knownSide: orphans[event.orderID]?.side) {
                record(fill, &actions)
            }
            trackOrphan(event, &actions)
        } else if event.kind == .fill, let fill = LedgerFill(event: event) {
            reportForeign([fill], &actions)
        }
        return actions
    }

    // MARK: Internals

    /// Counts down the answers `id` waits for (see `ManagedOrder.repliesPending`).
    private mutating func replyArrived(_ id: ClientOrderID) {
        if let pending = orders[id]?.repliesPending, pending > 0 { orders[id]!.repliesPending = pending - 1 }
    }

    /// Which intent an exchange order belongs to; registers duplicates and unknown orders.
    mutating func route(orderID: VenueOrderID, clientOrderID raw: String?, _ actions: inout [OrderAction]) -> ClientOrderID? {
        if let id = clientIDByOrderID[orderID] ?? duplicates[orderID] { return id }
        guard let raw, let id = ClientOrderID(raw), let o = orders[id] else {
            noteUnknown(orderID, raw, ours: raw.flatMap(ClientOrderID.init).map(generator.isOurs) ?? false, &actions)
            return nil
        }
        if let bound = o.lifecycle.orderID, bound != orderID {
            duplicates[orderID] = id
            actions.append(.notifyStrategy(.duplicateDetected(id, kept: bound, duplicate: orderID)))
            actions.append(.cancelDuplicate(orderID: orderID))
            return id
        }
        clientIDByOrderID[orderID] = id
        return id
    }

    mutating func applyStatus(_ status: OrderSnapshot, to id: ClientOrderID, cause: String, now: Int64,
                                      _ actions: inout [OrderAction]) {
        guard route(orderID: status.orderID, clientOrderID: status.clientOrderID ?? id.rawValue, &actions) == id else { return }
        if duplicates[status.orderID] != nil {
            recordTrades(of: status, clientOrderID: id, &actions)
            return
        }
        guard var o = orders[id] else { return }
        let finishedWithoutOrder = o.lifecycle.finishedWithoutOrder
        for fill in fills(of: status, clientOrderID: id) {
            if case .applied = record(fill, &actions) {
                notify(o.lifecycle.applyNewFill(amount: fill.amount, orderID: fill.orderID), &actions)
            }
        }
        notify(o.lifecycle.apply(status: status, cause: cause), &actions)
        orders[id] = o
        followUps(id, now: now, &actions)
        if finishedWithoutOrder || orphans[status.orderID] != nil { trackOrphan(status, &actions) }
    }

    func fills(of status: OrderSnapshot, clientOrderID: ClientOrderID?) -> [LedgerFill] {
        (status.trades ?? []).filter { !$0.isFullyBroken }.compactMap {
            LedgerFill(trade: $0, knownSymbol: status.symbol, source: .orderStatus)
        }.map { f in
            LedgerFill(tradeID: f.tradeID, orderID: status.orderID, clientOrderID: f.clientOrderID ?? clientOrderID,
                 symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee,
                 feeCurrency: f.feeCurrency, timestampMs: f.timestampMs, isMaker: f.isMaker, source: f.source)
        }
    }

    mutating func recordTrades(of status: OrderSnapshot, clientOrderID: ClientOrderID?, _ actions: inout [OrderAction]) {
        for fill in fills(of: status, clientOrderID: clientOrderID) { record(fill, &actions) }
    }

    @discardableResult
    mutating func record(_ fill: LedgerFill, _ actions: inout [OrderAction]) -> FillRecordResult {
        let result = ledger.record(fill)
        switch result {
        case .applied(let f): actions.append(.notifyStrategy(.fill(f)))
        case .duplicate: break
        case .conflicting(let existing, let ignored):
            actions.append(.alert("trade \(existing.tradeID) reported differently: kept \(existing), ignored \(ignored)"))
        }
        return result
    }

    mutating func followUps(_ id: ClientOrderID, now: Int64, _ actions: inout [OrderAction]) {
        guard var o = orders[id] else { return }
        let l = o.lifecycle
        if o.cancelWhenKnown, let orderID = l.orderID, l.acknowledged {
            o.cancelWhenKnown = false
            if l.outcome == nil {
                notify(o.lifecycle.markCancelRequested(), &actions)
                actions.append(.sendCancel(orderID: orderID, notBeforeMs: now))
            }
        }
        if l.outcome != nil, l.exchangeFinished, l.missingFills, !o.fillQueryPending, let orderID = l.orderID {
            o.fillQueryPending = true
            actions.append(.queryOrder(orderID: orderID, notBeforeMs: now + configuration.missingFillGraceMs))
        }
        orders[id] = o
    }

    func notify(_ t: OrderTransition, _ actions: inout [OrderAction]) {
        for a in t.anomalies {
            let message = "\(t.clientOrderID): \(a) (\(t.cause))"
            actions.append(t.isExpectedRace(a) ? .expectedRace(message) : .alert(message))
        }
        if t.changed { actions.append(.notifyStrategy(.transition(t))) }
    }

    mutating func noteUnknown(_ orderID: VenueOrderID, _ clientOrderID: String?, ours: Bool, _ actions: inout [OrderAction]) {
        guard reportedUnknown.insert(orderID).inserted else { return }
        actions.append(.notifyStrategy(.unknownOrder(orderID: orderID, clientOrderID: clientOrderID, ours: ours)))
    }

    private mutating func applyHalt(_ d: RetryDecision) {
        if let h = d.haltNewOrdersUntilMs { haltNewOrdersUntilMs = max(haltNewOrdersUntilMs ?? h, h) }
    }
}
