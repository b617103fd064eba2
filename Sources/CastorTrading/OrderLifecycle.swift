import CastorCore

/// Where one of our orders is in its life, from the daemon's point of view.
///
/// Normal path: `pendingNew` → `accepted` → `booked` → `partiallyFilled` → one of the
/// terminal outcomes `filled` / `cancelled` / `rejected` → `closed` (terminal and every
/// execution accounted for by a fill). `uncertain`: a send's outcome is unknown and the
/// order must be looked up before anything else. `pendingCancel`: a cancel was requested
/// for a live order and not yet confirmed or refused.
public enum OrderPhase: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pendingNew, uncertain, accepted, booked, partiallyFilled, pendingCancel
    case filled, cancelled, rejected, closed

    /// Live on (or possibly on) the exchange: counts against open-order limits.
    public var isOpen: Bool {
        switch self {
        case .pendingNew, .uncertain, .accepted, .booked, .partiallyFilled, .pendingCancel: true
        case .filled, .cancelled, .rejected, .closed: false
        }
    }

    public var description: String { rawValue }
}

/// How an order ended.
public enum TerminalOutcome: Sendable, Hashable {
    case filled
    case cancelled(VenueReason?)
    case rejected(VenueReason?)
}

/// Something that did not fit the lifecycle; the input was ignored in the part that
/// conflicted, and the caller should log it.
public enum LifecycleAnomaly: Sendable, Hashable {
    /// The input names another exchange order for this client order id: a duplicate.
    case differentOrderID(VenueOrderID)
    /// A second, different terminal outcome (the first one is kept).
    case conflictingOutcome(kept: TerminalOutcome, ignored: TerminalOutcome)
    /// A cumulative executed amount lower than one already seen (the higher is kept).
    case executedWentBackwards(reported: ExactDecimal, kept: ExactDecimal)
    /// A "live" signal after the order ended (e.g. a stale REST snapshot).
    case liveAfterTerminal
}

/// What one input did to one order: for the log and for the strategy.
public struct OrderTransition: Sendable, Hashable, CustomStringConvertible {
    public let clientOrderID: ClientOrderID
    public let orderID: VenueOrderID?
    public let from: OrderPhase
    public let to: OrderPhase
    public let executedBefore: ExactDecimal
    public let executedAfter: ExactDecimal
    /// What caused it, e.g. `"event fill"`, `"new-order reply"`.
    public let cause: String
    public let anomalies: [LifecycleAnomaly]
    /// The input was a REST order-status snapshot (new-order or cancel reply, lookup,
    /// `/v1/orders`), which the exchange may have produced before events the order-events
    /// feed has already delivered.
    public var fromRESTSnapshot = false
    /// The input was the order's `accepted` event, which says what was executed when the
    /// order was accepted: a taker order's new-order reply, sent after its immediate fill,
    /// can overtake it.
    public var fromAcceptedEvent = false

    /// Whether `anomaly` is an expected race rather than an inconsistency: a REST snapshot
    /// older than what the feed already told (a fill or close event overtaking the
    /// `/v1/order/new` reply) reports a lower executed amount or a live order after the
    /// end. The newer state is kept either way; only real anomalies deserve an alert.
    public func isExpectedRace(_ anomaly: LifecycleAnomaly) -> Bool {
        if fromAcceptedEvent, case .executedWentBackwards = anomaly { return true }
        guard fromRESTSnapshot else { return false }
        switch anomaly {
        case .executedWentBackwards, .liveAfterTerminal: return true
        case .differentOrderID, .conflictingOutcome: return false
        }
    }

    public var phaseChanged: Bool { from != to }
    public var executedChanged: Bool { executedBefore != executedAfter }
    public var changed: Bool { phaseChanged || executedChanged }

    public var description: String {
        "\(clientOrderID) [\(orderID.map(String.init(describing:)) ?? "-")] \(from)→\(to) executed \(executedBefore)→\(executedAfter) (\(cause))"
            + (anomalies.isEmpty ? "" : " anomalies: \(anomalies)")
    }
}

/// The life of one order as a value: monotone facts (acknowledged, booked, executed,
/// outcome, closed), from which the phase is derived. Because facts only ever grow,
/// inputs can arrive in any order and any number of times (a `fill` before the REST reply,
/// `booked` after a `fill`, `closed` before a lost `fill`, duplicates) and the phase never
/// regresses; the only deliberate step back is `uncertain` → `pendingNew` on a resend after
/// a lookup proved the order absent, and `pendingCancel` → live on a refused cancel.
public struct OrderLifecycle: Sendable, Hashable {
    public let clientOrderID: ClientOrderID
    public let symbol: Symbol
    public let side: Side
    public let price: ExactDecimal
    public let originalAmount: ExactDecimal

    public private(set) var orderID: VenueOrderID?
    /// The exchange has shown it knows this order (any event or status for it).
    public private(set) var acknowledged = false
    /// The send outcome is unknown; a lookup is required.
    public private(set) var isUncertain = false
    public private(set) var isBooked = false
    /// Highest cumulative executed amount the exchange reported.
    public private(set) var executedReported: ExactDecimal = .zero
    /// Sum of this order's fills counted by the ledger.
    public private(set) var executedFromFills: ExactDecimal = .zero
    public private(set) var cancelPending = false
    public private(set) var outcome: TerminalOutcome?
    /// The exchange said nothing more will happen (`closed` event, `rejected`, or a REST
    /// snapshot showing the order ended).
    public private(set) var exchangeFinished = false
    /// Times the new-order request was (re)sent.
    public private(set) var sendCount = 0

    public init(clientOrderID: ClientOrderID, symbol: Symbol, side: Side, price: ExactDecimal, amount: ExactDecimal) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.originalAmount = amount
    }

    /// Executed amount: the larger of what the exchange reported and what fills add up to.
    public var executed: ExactDecimal { max(executedReported, executedFromFills) }
    /// Base amount still able to execute (zero once ended).
    /// Never traps: `executed` comes from the exchange and is never negative, so a
    /// difference that overflows means far more than the original executed: nothing remains.
    public var remaining: ExactDecimal {
        guard outcome == nil, let left = originalAmount.subtractingReportingOverflow(executed) else { return .zero }
        return max(.zero, left)
    }
    /// The exchange reported more execution than the fills we hold: some fills are missing.
    public var missingFills: Bool { executedReported > executedFromFills }

    public var phase: OrderPhase {
        if let outcome {
            if exchangeFinished && !missingFills { return .closed }
            switch outcome {
            case .filled: return .filled
            case .cancelled: return .cancelled
            case .rejected: return .rejected
            }
        }
        if !acknowledged { return isUncertain ? .uncertain : .pendingNew }
        if cancelPending { return .pendingCancel }
        if executed.isPositive { return .partiallyFilled }
        return isBooked ? .booked : .accepted
    }

    // MARK: Sending

    /// The new-order request was handed to the transport.
    public mutating func markSent() -> OrderTransition {
        change("sent") { s, _ in s.sendCount += 1 }
    }

    /// The send failed in a way that may have executed: look it up before anything else.
    public mutating func markUncertain(cause: String = "send outcome unknown") -> OrderTransition {
        change(cause) { s, _ in
            if !s.acknowledged && s.outcome == nil { s.isUncertain = true }
        }
    }

    /// A lookup proved the order absent and it is being sent again (same client order id).
    public mutating func markResending() -> OrderTransition {
        change("resend after lookup: not found") { s, _ in
            if !s.acknowledged && s.outcome == nil { s.isUncertain = false }
        }
    }

    /// Refused without reaching the book (exchange refusal confirmed by lookup, expired in
    /// the queue, halted). Ignored with an anomaly once the exchange has acknowledged it.
    public mutating func rejectLocally(_ reason: VenueReason?, cause: String) -> OrderTransition {
        change(cause) { s, anomalies in
            if s.acknowledged {
                anomalies.append(.conflictingOutcome(kept: s.outcome ?? .filled, ignored: .rejected(reason)))
                return
            }
            s.setOutcome(.rejected(reason), &anomalies)
            s.isUncertain = false
            s.exchangeFinished = true
        }
    }

    /// Restores a known exchange order id from the journal (the order was acknowledged).
    public mutating func bindRestored(orderID id: VenueOrderID) -> OrderTransition {
        change("restored") { s, anomalies in
            if s.bind(id, &anomalies) { s.acknowledged = true; s.isUncertain = false }
        }
    }

    // MARK: Exchange inputs

    /// A REST order-status object: the new-order reply, a lookup, a cancel reply, `/v1/orders`.
    public mutating func apply(status: OrderSnapshot, cause: String) -> OrderTransition {
        var t = change(cause) { s, anomalies in
            guard s.bind(status.orderID, &anomalies) else { return }
            s.acknowledged = true
            s.isUncertain = false
            s.report(executed: status.executedAmount, &anomalies)
            switch status.state {
            case .open:
                if s.outcome != nil { anomalies.append(.liveAfterTerminal) }
            case .cancelled:
                s.setOutcome(.cancelled(status.reason), &anomalies)
                s.exchangeFinished = true
            case .filled:
                s.setOutcome(.filled, &anomalies)
                s.exchangeFinished = true
            }
            if status.state != .open { s.cancelPending = false }
            s.checkFullyExecuted(&anomalies)
        }
        t.fromRESTSnapshot = true
        return t
    }

    /// One order event (any type, any order, duplicates allowed).
    public mutating func apply(event: OrderReport) -> OrderTransition {
        var t = change("event \(event.kind)") { s, anomalies in
            guard s.bind(event.orderID, &anomalies) else { return }
            if event.kind != .rejected { s.acknowledged = true }
            s.isUncertain = false
            s.report(executed: event.executedAmount, &anomalies)
            switch event.kind {
            case .initial, .accepted, .fill, .unknown:
                break
            case .booked:
                s.isBooked = true
            case .rejected:
                if s.acknowledged {
                    anomalies.append(.conflictingOutcome(kept: s.outcome ?? .filled, ignored: .rejected(event.reason)))
                } else {
                    s.setOutcome(.rejected(event.reason), &anomalies)
                    s.exchangeFinished = true
                }
            case .cancelled:
                s.setOutcome(.cancelled(event.reason), &anomalies)
                s.cancelPending = false
            case .cancelRejected:
                s.cancelPending = false
            case .closed:
                s.setOutcome(event.isCancelled == true ? .cancelled(event.reason) : .filled, &anomalies)
                s.exchangeFinished = true
                s.cancelPending = false
            }
            s.checkFullyExecuted(&anomalies)
        }
        t.fromAcceptedEvent = event.kind == .accepted
        return t
    }

    /// A fill the ledger counted for the first time (never call it for a duplicate).
    public mutating func applyNewFill(amount: ExactDecimal, orderID fillOrderID: VenueOrderID) -> OrderTransition {
        change("fill") { s, anomalies in
            guard s.bind(fillOrderID, &anomalies) else { return }
            s.acknowledged = true
            s.isUncertain = false
            // A sum beyond the representation is far above any original amount: hold it at
            // the largest value, which reads as fully executed, rather than trap.
            s.executedFromFills = s.executedFromFills.addingReportingOverflow(amount)
                ?? ExactDecimal(mantissa: amount.isNegative ? -.max : .max, scale: 0)
            s.checkFullyExecuted(&anomalies)
        }
    }

    // MARK: Cancels

    /// A cancel was requested (sent now or when the order id becomes known).
    public mutating func markCancelRequested() -> OrderTransition {
        change("cancel requested") { s, _ in
            if s.outcome == nil { s.cancelPending = true }
        }
    }

    /// The cancel was refused or failed for good; the order keeps working.
    public mutating func markCancelFailed(cause: String) -> OrderTransition {
        change(cause) { s, _ in s.cancelPending = false }
    }

    // MARK: Internals

    private mutating func change(_ cause: String, _ body: (inout OrderLifecycle, inout [LifecycleAnomaly]) -> Void) -> OrderTransition {
        let from = phase, before = executed
        var anomalies: [LifecycleAnomaly] = []
        body(&self, &anomalies)
        return OrderTransition(clientOrderID: clientOrderID, orderID: orderID, from: from, to: phase,
                               executedBefore: before, executedAfter: executed, cause: cause, anomalies: anomalies)
    }

    /// Binds the exchange order id on first sight; false (with an anomaly) for another id.
    private mutating func bind(_ id: VenueOrderID, _ anomalies: inout [LifecycleAnomaly]) -> Bool {
        if let orderID, orderID != id {
            anomalies.append(.differentOrderID(id))
            return false
        }
        orderID = id
        return true
    }

    private mutating func report(executed value: ExactDecimal?, _ anomalies: inout [LifecycleAnomaly]) {
        guard let value else { return }
        if value < executedReported {
            anomalies.append(.executedWentBackwards(reported: value, kept: executedReported))
        } else {
            executedReported = value
        }
    }

    private mutating func setOutcome(_ new: TerminalOutcome, _ anomalies: inout [LifecycleAnomaly]) {
        if let outcome {
            if !Self.sameKind(outcome, new) { anomalies.append(.conflictingOutcome(kept: outcome, ignored: new)) }
            return
        }
        outcome = new
    }

    private mutating func checkFullyExecuted(_ anomalies: inout [LifecycleAnomaly]) {
        if outcome == nil, originalAmount.isPositive, executed >= originalAmount {
            setOutcome(.filled, &anomalies)
            cancelPending = false
        }
    }

    private static func sameKind(_ a: TerminalOutcome, _ b: TerminalOutcome) -> Bool {
        switch (a, b) {
        case (.filled, .filled), (.cancelled, .cancelled), (.rejected, .rejected): true
        default: false
        }
    }
}
