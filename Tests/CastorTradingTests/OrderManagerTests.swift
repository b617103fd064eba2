import CastorCore
import CastorFeeds
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct OrderManagerTests {
    @Test func submitAcceptFillClose() {
        var m = makeManager()
        let (id, a) = m.submit(intent(), now: 0)
        let cid = id!.rawValue
        #expect(a.sends.count == 1 && a.sends[0].clientOrderID == id)
        _ = m.newOrderAccepted(id!, status: status("9", cid: cid), now: 10)
        #expect(m.clientOrderID(forOrderID: "9") == id)
        let f = m.handle(event: event("fill", orderID: "9", cid: cid, executed: "1", live: false,
                                      fill: ("500", "1", "100.00", "0.25")), now: 20)
        #expect(f.fills.count == 1)
        _ = m.handle(event: event("closed", orderID: "9", cid: cid, executed: "1", live: false), now: 30)
        #expect(m.order(id!)?.lifecycle.phase == .closed)
        #expect(m.ledger.position("BTCUSD").base == d("1"))
        #expect(m.ledger.position("BTCUSD").quoteCash == d("-100.25"))
        #expect(m.removeClosed() == [id!])
    }

    /// The fill (and close) arriving over the order-events feed before the REST reply to
    /// `/v1/order/new`: the reply's older snapshot (executed 0, live) is an expected race,
    /// not an alert. The same step backwards within the feed itself still alerts.
    @Test func feedOvertakingTheNewOrderReplyIsAnExpectedRace() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let cid = id!.rawValue
        _ = m.handle(event: event("fill", orderID: "9", cid: cid, executed: "1", live: false,
                                  fill: ("500", "1", "100.00", "0.25")), now: 5)
        _ = m.handle(event: event("closed", orderID: "9", cid: cid, executed: "1", live: false), now: 6)
        let reply = m.newOrderAccepted(id!, status: status("9", cid: cid, executed: "0"), now: 10)
        #expect(reply.alerts.isEmpty)
        #expect(reply.expectedRaces.count == 2)  // executedWentBackwards and liveAfterTerminal
        #expect(m.order(id!)?.lifecycle.phase == .closed)
        #expect(m.order(id!)?.lifecycle.executed == d("1"))

        // The same backwards step reported by the feed itself is a real anomaly.
        let (id2, _) = m.submit(intent(), now: 20)
        _ = m.newOrderAccepted(id2!, status: status("10", cid: id2!.rawValue), now: 21)
        _ = m.handle(event: event("fill", orderID: "10", cid: id2!.rawValue, executed: "0.5",
                                  fill: ("501", "0.5", "100.00", "0.1")), now: 22)
        let back = m.handle(event: event("booked", orderID: "10", cid: id2!.rawValue, executed: "0.2"), now: 23)
        #expect(back.alerts.count == 1 && back.expectedRaces.isEmpty)
    }

    /// An immediate-or-cancel order closed by the feed before its `/v1/order/new` reply:
    /// the engine's sweep of closed orders must keep it until the reply (or a lookup's
    /// answer) is in, so the late answer is matched, not alerted as an unknown order.
    @Test func closedOrderIsKeptUntilItsPendingRepliesArrive() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let cid = id!.rawValue
        _ = m.handle(event: event("accepted", orderID: "9", cid: cid, executed: "0"), now: 1)
        _ = m.handle(event: event("cancelled", orderID: "9", cid: cid, executed: "0", live: false, cancelled: true), now: 2)
        _ = m.handle(event: event("closed", orderID: "9", cid: cid, executed: "0", live: false, cancelled: true), now: 2)
        #expect(m.order(id!)?.lifecycle.phase == .closed)
        #expect(m.removeClosed().isEmpty)
        let reply = m.newOrderAccepted(id!, status: status("9", cid: cid, executed: "0"), now: 3)
        #expect(reply.alerts.isEmpty)
        #expect(m.removeClosed() == [id!])

        // A lookup in flight keeps it too; its answer then releases it.
        let (id2, _) = m.submit(intent(), now: 10)
        let cid2 = id2!.rawValue
        #expect(m.newOrderFailed(id2!, failure: .timeout, now: 11).lookups == [id2!])
        _ = m.handle(event: event("cancelled", orderID: "10", cid: cid2, executed: "0", live: false, cancelled: true), now: 12)
        _ = m.handle(event: event("closed", orderID: "10", cid: cid2, executed: "0", live: false, cancelled: true), now: 12)
        #expect(m.order(id2!)?.lifecycle.phase == .closed)
        #expect(m.removeClosed().isEmpty)
        #expect(m.lookupResult(id2!, .found(status("10", cid: cid2, executed: "0", live: false, cancelled: true)), now: 13).alerts.isEmpty)
        #expect(m.removeClosed() == [id2!])
    }

    @Test func ambiguousTimeoutLookupFoundIsTrackedNotResent() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let a = m.newOrderFailed(id!, failure: .timeout, now: 100)
        #expect(a.lookups == [id!] && a.resends.isEmpty)
        #expect(m.order(id!)?.lifecycle.phase == .uncertain)
        let b = m.lookupResult(id!, .found(status("9", cid: id!.rawValue, executed: "0.5",
            trades: [tradeJSON(tid: 77, orderID: "9", amount: "0.5")])), now: 2_000)
        #expect(b.resends.isEmpty && b.sends.isEmpty)
        #expect(b.fills.map(\.tradeID) == [TradeID(77)])
        #expect(m.order(id!)?.lifecycle.phase == .partiallyFilled)
        // The fill event for the same trade arrives later: not counted twice.
        let c = m.handle(event: event("fill", orderID: "9", cid: id!.rawValue, executed: "0.5",
                                      fill: ("77", "0.5", "100.00", "0.10")), now: 2_100)
        #expect(c.fills.isEmpty)
        #expect(m.ledger.position("BTCUSD").base == d("0.5"))
    }

    @Test func ambiguousNotFoundIsResentOnceWithSameClientOrderID() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderFailed(id!, failure: .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: "System", message: nil), httpStatus: 500), httpStatus: 500), now: 100)
        let a = m.lookupResult(id!, .notFound, now: 2_000)
        #expect(a.resends.count == 1 && a.resends[0].clientOrderID == id)
        #expect(m.order(id!)?.lifecycle.phase == .pendingNew && m.order(id!)?.resends == 1)
        // A repeated "not found" (stale answer) cannot trigger a second resend.
        let b = m.lookupResult(id!, .notFound, now: 2_100)
        #expect(b.resends.isEmpty)
        _ = m.newOrderAccepted(id!, status: status("9", cid: id!.rawValue), now: 2_200)
        #expect(m.order(id!)?.lifecycle.phase == .accepted)
    }

    @Test func nonRetryableReasonRejectsOnlyAfterLookup() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let a = m.newOrderFailed(id!, failure: .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .insufficientFunds, message: nil), httpStatus: 406), httpStatus: 406), now: 1)
        #expect(a.lookups == [id!] && a.rejects.isEmpty)
        let b = m.lookupResult(id!, .notFound, now: 1_500)
        #expect(b.resends.isEmpty)
        #expect(b.rejects == [.exchange(VenueReason("InsufficientFunds"), "refused by the exchange: HTTP 406 InsufficientFunds")])
        #expect(m.order(id!)?.lifecycle.phase == .closed)
        // hummingbot#8027 case: a 406 but the order exists → tracked, not rejected.
        let (id2, _) = m.submit(intent(), now: 2)
        _ = m.newOrderFailed(id2!, failure: .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .insufficientFunds, message: nil), httpStatus: 406), httpStatus: 406), now: 3)
        let c = m.lookupResult(id2!, .found(status("11", cid: id2!.rawValue)), now: 1_500)
        #expect(c.rejects.isEmpty && m.order(id2!)?.lifecycle.phase == .accepted)
    }

    @Test func authFailureRejectsWithoutLookup() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let a = m.newOrderFailed(id!, failure: .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .invalidSignature, message: nil), httpStatus: 400), httpStatus: 400), now: 1)
        #expect(a.lookups.isEmpty && a.rejects.count == 1)
    }

    @Test func invalidNonceResendsOnlyOnce() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let nonce = VenueFailure.exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .invalidNonce, message: nil), httpStatus: 400), httpStatus: 400)
        _ = m.newOrderFailed(id!, failure: nonce, now: 1)
        #expect(m.lookupResult(id!, .notFound, now: 1_100).resends.count == 1)
        _ = m.newOrderFailed(id!, failure: nonce, now: 1_200)
        let b = m.lookupResult(id!, .notFound, now: 3_000)
        #expect(b.resends.isEmpty && b.rejects.count == 1)
    }

    @Test func duplicateExchangeOrderIsCancelledAndItsFillsCounted() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderFailed(id!, failure: .timeout, now: 1)
        _ = m.lookupResult(id!, .notFound, now: 1_500)
        _ = m.newOrderAccepted(id!, status: status("20", cid: id!.rawValue), now: 1_600)
        // The original request landed after all.
        let a = m.handle(event: event("accepted", orderID: "10", cid: id!.rawValue), now: 1_700)
        #expect(a.duplicateCancels == ["10"])
        #expect(a.contains(.notifyStrategy(.duplicateDetected(id!, kept: "20", duplicate: "10"))))
        let b = m.handle(event: event("fill", orderID: "10", cid: id!.rawValue, executed: "0.2",
                                      fill: ("900", "0.2", "100.00", "0")), now: 1_800)
        #expect(b.fills.count == 1 && m.ledger.position("BTCUSD").base == d("0.2"))
        #expect(m.order(id!)?.lifecycle.orderID == "20" && m.order(id!)?.lifecycle.executed == .zero)
        // Again the same event: no second cancel, no second fill.
        let c = m.handle(event: event("fill", orderID: "10", cid: id!.rawValue, executed: "0.2",
                                      fill: ("900", "0.2", "100.00", "0")), now: 1_900)
        #expect(c.duplicateCancels.isEmpty && c.fills.isEmpty)
    }

    @Test func cancelBeforeOrderIDIsKnown() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let a = m.cancel(id!, now: 1)
        #expect(a.cancels.isEmpty && a.contains(.withdrawQueued(id!)))
        let b = m.newOrderAccepted(id!, status: status("9", cid: id!.rawValue), now: 5)
        #expect(b.cancels == ["9"])
        #expect(m.order(id!)?.lifecycle.phase == .pendingCancel)
        _ = m.cancelResult(orderID: "9", .success(status("9", cid: id!.rawValue, live: false, cancelled: true, reason: "Requested")), now: 9)
        #expect(m.order(id!)?.lifecycle.phase == .closed)
        // Withdrawn from the queue instead: rejected as cancelled before placement.
        let (id2, _) = m.submit(intent(), now: 10)
        _ = m.cancel(id2!, now: 11)
        #expect(m.newOrderDropped(id2!, now: 11).rejects == [.cancelledBeforePlacement])
        // Uncertain and then not found: not resent.
        let (id3, _) = m.submit(intent(), now: 20)
        _ = m.newOrderFailed(id3!, failure: .timeout, now: 21)
        _ = m.cancel(id3!, now: 22)
        let c = m.lookupResult(id3!, .notFound, now: 2_000)
        #expect(c.resends.isEmpty && c.rejects == [.cancelledBeforePlacement])
    }

    @Test func cancelFailuresRetryOrQuery() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderAccepted(id!, status: status("9", cid: id!.rawValue), now: 1)
        #expect(m.cancel(id!, now: 2).cancels == ["9"])
        let a = m.cancelResult(orderID: "9", .failure(.timeout), now: 3)
        #expect(a.cancels == ["9"])
        let b = m.cancelResult(orderID: "9", .failure(.exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .orderNotFound, message: nil), httpStatus: 404), httpStatus: 404)), now: 4)
        #expect(b.queries == ["9"] && m.order(id!)?.lifecycle.phase == .accepted)
    }

    @Test func expiredAndHalted() {
        var m = makeManager()
        let (id, _) = m.submit(intent(deadline: 500), now: 0)
        #expect(m.newOrderDropped(id!, now: 501).rejects == [.expired])
        let (late, a) = m.submit(intent(deadline: 5), now: 10)
        #expect(late != nil && a.rejects == [.expired])
        // Maintenance halts new orders.
        let (id2, _) = m.submit(intent(), now: 1_000)
        _ = m.newOrderFailed(id2!, failure: .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: .maintenance, message: nil), httpStatus: 503), httpStatus: 503), now: 1_000)
        #expect(m.haltNewOrdersUntilMs == 61_000)
        let (_, b) = m.submit(intent(), now: 2_000)
        #expect(b.rejects == [.halted(untilMs: 61_000)])
        // The failed one is looked up no earlier than the halt's end.
        let (_, c) = m.submit(intent(), now: 61_000)
        #expect(c.sends.count == 1)
    }

    @Test func missingFillsAreFetched() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderAccepted(id!, status: status("9", cid: id!.rawValue), now: 1)
        let a = m.handle(event: event("closed", orderID: "9", cid: id!.rawValue, executed: "1", live: false), now: 2)
        #expect(a.queries == ["9"])
        #expect(m.order(id!)?.lifecycle.phase == .filled)
        let b = m.queryResult(orderID: "9", .found(status("9", cid: id!.rawValue, executed: "1", live: false,
            trades: [tradeJSON(tid: 5, orderID: "9", amount: "0.4"), tradeJSON(tid: 6, orderID: "9", amount: "0.6")])), now: 3_000)
        #expect(b.fills.count == 2 && m.order(id!)?.lifecycle.phase == .closed)
    }

    @Test func unknownOrdersAreReportedOnce() {
        var m = makeManager()
        let a = m.handle(event: event("booked", orderID: "77", cid: nil), now: 0)
        #expect(a == [.notifyStrategy(.unknownOrder(orderID: "77", clientOrderID: nil, ours: false))])
        #expect(m.handle(event: event("booked", orderID: "77", cid: nil), now: 1).isEmpty)
        // Not ours: its fill is reported, never counted (another instance or the website
        // placed it, and counts it itself).
        let f = m.handle(event: event("fill", orderID: "77", cid: nil, executed: "1", fill: ("1", "1", "100.00", "0")), now: 2)
        #expect(f.fills.isEmpty)
        #expect(f.foreignFills.count == 1)
        #expect(m.ledger.position("BTCUSD").base.isZero)
    }
}
