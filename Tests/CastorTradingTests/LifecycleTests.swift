import CastorCore
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct LifecycleTests {
    let cid = ClientOrderID("cx-b-1")!
    func fresh() -> OrderLifecycle { OrderLifecycle(clientOrderID: cid, symbol: "BTCUSD", side: .buy, price: d("100"), amount: d("1")) }

    @Test func normalPath() {
        var l = fresh()
        #expect(l.phase == .pendingNew)
        var t = l.apply(status: status("9", cid: "cx-b-1"), cause: "new-order reply")
        #expect(t.from == .pendingNew && t.to == .accepted && l.orderID == "9")
        t = l.apply(event: event("booked", orderID: "9", cid: "cx-b-1"))
        #expect(t.to == .booked)
        t = l.applyNewFill(amount: d("0.4"), orderID: "9")
        #expect(t.to == .partiallyFilled && t.executedAfter == d("0.4"))
        _ = l.apply(event: event("fill", orderID: "9", cid: "cx-b-1", executed: "0.4"))
        t = l.applyNewFill(amount: d("0.6"), orderID: "9")
        #expect(t.to == .filled && l.outcome == .filled)
        t = l.apply(event: event("closed", orderID: "9", cid: "cx-b-1", executed: "1", live: false))
        #expect(t.from == .filled && t.to == .closed)
    }

    @Test func fillBeforeRESTReplyAndBookedAfterFill() {
        var l = fresh()
        _ = l.apply(event: event("fill", orderID: "9", cid: "cx-b-1", executed: "0.5"))
        _ = l.applyNewFill(amount: d("0.5"), orderID: "9")
        #expect(l.phase == .partiallyFilled)
        // The REST reply is an older snapshot: nothing regresses.
        let t = l.apply(status: status("9", cid: "cx-b-1", executed: "0"), cause: "new-order reply")
        #expect(t.to == .partiallyFilled && l.executed == d("0.5"))
        #expect(t.anomalies.contains(.executedWentBackwards(reported: d("0"), kept: d("0.5"))))
        let b = l.apply(event: event("booked", orderID: "9", cid: "cx-b-1", executed: "0.5"))
        #expect(b.to == .partiallyFilled && !b.phaseChanged)
        #expect(l.isBooked)
    }

    @Test func duplicateEventsAreIdempotent() {
        var l = fresh()
        let e = event("accepted", orderID: "9", cid: "cx-b-1")
        #expect(l.apply(event: e).changed)
        #expect(!l.apply(event: e).changed)
        let c = event("cancelled", orderID: "9", cid: "cx-b-1", live: false, cancelled: true, reason: "Requested")
        #expect(l.apply(event: c).to == .cancelled)
        #expect(!l.apply(event: c).changed)
        #expect(l.outcome == .cancelled("Requested"))
    }

    @Test func closedBeforeLostFillWaitsForTheFill() {
        var l = fresh()
        _ = l.apply(event: event("accepted", orderID: "9", cid: "cx-b-1"))
        let t = l.apply(event: event("closed", orderID: "9", cid: "cx-b-1", executed: "1", live: false))
        #expect(t.to == .filled)  // terminal, but not closed: a fill is missing
        #expect(l.missingFills)
        #expect(l.applyNewFill(amount: d("1"), orderID: "9").to == .closed)
    }

    @Test func cancelledThenClosedAndLateFill() {
        var l = fresh()
        _ = l.apply(event: event("booked", orderID: "9", cid: "cx-b-1"))
        #expect(l.markCancelRequested().to == .pendingCancel)
        _ = l.apply(event: event("cancelled", orderID: "9", cid: "cx-b-1", executed: "0.2", live: false, cancelled: true))
        #expect(l.phase == .cancelled)
        _ = l.apply(event: event("closed", orderID: "9", cid: "cx-b-1", executed: "0.2", live: false, cancelled: true))
        #expect(l.phase == .cancelled && l.missingFills)
        _ = l.applyNewFill(amount: d("0.2"), orderID: "9")
        #expect(l.phase == .closed && l.outcome == .cancelled(nil))
        // A stale "live" snapshot never revives it.
        let t = l.apply(status: status("9", cid: "cx-b-1", executed: "0.2"), cause: "stale")
        #expect(t.to == .closed && t.anomalies.contains(.liveAfterTerminal))
    }

    @Test func cancelRejectedReturnsToLive() {
        var l = fresh()
        _ = l.apply(event: event("booked", orderID: "9", cid: "cx-b-1"))
        _ = l.markCancelRequested()
        let t = l.apply(event: event("cancel_rejected", orderID: "9", cid: "cx-b-1", reason: "IneligibleTiming"))
        #expect(t.from == .pendingCancel && t.to == .booked)
    }

    @Test func rejectedEventClosesImmediately() {
        var l = fresh()
        let t = l.apply(event: event("rejected", orderID: "9", cid: "cx-b-1", live: false, reason: "InvalidPrice"))
        #expect(l.outcome == .rejected("InvalidPrice") && t.to == .closed)
    }

    @Test func uncertainThenResolved() {
        var l = fresh()
        #expect(l.markUncertain().to == .uncertain)
        #expect(l.apply(status: status("9", cid: "cx-b-1"), cause: "lookup").to == .accepted)
        // Once acknowledged it can no longer become uncertain or be rejected locally.
        #expect(l.markUncertain().to == .accepted)
        let r = l.rejectLocally("InsufficientFunds", cause: "late failure")
        #expect(r.to == .accepted && !r.anomalies.isEmpty)
    }

    @Test func differentOrderIDIsReportedNotApplied() {
        var l = fresh()
        _ = l.apply(event: event("accepted", orderID: "9", cid: "cx-b-1"))
        let t = l.apply(event: event("fill", orderID: "10", cid: "cx-b-1", executed: "1", live: false))
        #expect(t.anomalies == [.differentOrderID("10")] && !t.changed && l.orderID == "9")
    }

    @Test func restFilledAndCancelledSnapshots() {
        var l = fresh()
        let t = l.apply(status: status("9", cid: "cx-b-1", executed: "1", live: false), cause: "reply")
        #expect(t.to == .filled && l.outcome == .filled && l.exchangeFinished && l.missingFills)
        var m = fresh()
        let u = m.apply(status: status("9", cid: "cx-b-1", live: false, cancelled: true, reason: "MakerOrCancelWouldTake"), cause: "reply")
        #expect(u.to == .closed && m.outcome == .cancelled("MakerOrCancelWouldTake"))
    }

    /// Every permutation of a realistic event set ends in the same place, and the phase
    /// rank never goes down along the way.
    @Test func allPermutationsConverge() {
        let evs = [
            event("accepted", orderID: "9", cid: "cx-b-1"),
            event("fill", orderID: "9", cid: "cx-b-1", executed: "0.3"),
            event("booked", orderID: "9", cid: "cx-b-1", executed: "0.3"),
            event("fill", orderID: "9", cid: "cx-b-1", executed: "1", live: false),
            event("closed", orderID: "9", cid: "cx-b-1", executed: "1", live: false),
        ]
        let rank: [OrderPhase: Int] = [.pendingNew: 0, .accepted: 1, .booked: 2, .partiallyFilled: 3, .filled: 4, .closed: 5]
        func permutations(_ a: [Int]) -> [[Int]] {
            a.count <= 1 ? [a] : a.indices.flatMap { i in permutations(Array(a[..<i] + a[(i + 1)...])).map { [a[i]] + $0 } }
        }
        for p in permutations(Array(evs.indices)) {
            var l = fresh()
            var last = 0
            for i in p {
                let t = l.apply(event: evs[i])
                let r = rank[t.to]!
                #expect(r >= last, "regressed \(t)")
                last = r
            }
            // Fills arrive separately (keyed by trade id in the ledger).
            _ = l.applyNewFill(amount: d("0.3"), orderID: "9")
            _ = l.applyNewFill(amount: d("0.7"), orderID: "9")
            #expect(l.phase == .closed && l.executed == d("1") && l.outcome == .filled)
        }
    }

    /// A taker order fills at once; its new-order reply (executed 1) overtakes the
    /// `accepted` event (executed 0). That is a race, not an inconsistency: no alert.
    @Test func anAcceptedEventBehindTheNewOrderReplyIsAnExpectedRace() {
        var l = OrderLifecycle(clientOrderID: cid, symbol: "BTCUSD", side: .buy, price: d("100.00"), amount: d("1"))
        _ = l.markSent()
        _ = l.apply(status: status("9", cid: "cx-b-1", executed: "1", live: false), cause: "new-order reply")
        let t = l.apply(event: event("accepted", orderID: "9", cid: "cx-b-1", executed: "0"))
        #expect(!t.anomalies.isEmpty)
        #expect(t.anomalies.allSatisfy(t.isExpectedRace))
        #expect(l.executed == d("1"))
    }
}
