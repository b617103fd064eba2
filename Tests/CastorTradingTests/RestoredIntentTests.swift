import CastorCore
import GeminiProtocol
import Testing
@testable import CastorTrading

/// Intents rebuilt from the journal after a restart, lookups by client order id answered
/// with Gemini's array, and sends refused at the last moment.
@Suite struct RestoredIntentTests {
    private let restoredID = ClientOrderID("cx-old1-7")!

    @Test func aRestoredIntentNotFoundIsClosedNeverResent() {
        var m = makeManager()
        m.restore(intent(), clientOrderID: restoredID, orderID: nil)
        #expect(m.order(restoredID)?.lifecycle.isUncertain == true)
        let a = m.lookupResult(restoredID, candidates: [], now: 10)
        #expect(a.resends.isEmpty)
        #expect(a.rejects == [.notPlacedBeforeRestart])
        #expect(m.order(restoredID)?.lifecycle.outcome != nil)
    }

    @Test func aLiveIntentNotFoundAfterAFailedSendIsStillResent() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderFailed(id!, failure: .timeout, now: 5)
        let a = m.lookupResult(id!, candidates: [], now: 10)
        #expect(a.resends.count == 1 && a.rejects.isEmpty)
    }

    @Test func aRestoredIntentFoundIsAdopted() {
        var m = makeManager()
        m.restore(intent(), clientOrderID: restoredID, orderID: nil)
        _ = m.lookupResult(restoredID, candidates: [status("77", cid: restoredID.rawValue)], now: 10)
        #expect(m.clientOrderID(forOrderID: "77") == restoredID)
        #expect(m.order(restoredID)?.lifecycle.phase.isOpen == true)
        #expect(m.order(restoredID)?.lifecycle.isUncertain == false)
    }

    /// Gemini lets client order ids be reused: an order carrying ours whose immutable fields
    /// differ is not the intent's, is reported, and is never adopted.
    @Test func onlyAnOrderWhoseImmutableFieldsMatchIsAdopted() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderFailed(id!, failure: .timeout, now: 5)
        let cid = id!.rawValue
        let other = [status("80", cid: cid, price: "101.00"), status("81", cid: cid, side: "sell"),
                     status("82", cid: cid, original: "2"), status("83", cid: cid, symbol: "ethusd")]
        let a = m.lookupResult(id!, candidates: other + [status("84", cid: cid, price: "100")], now: 10)
        #expect(a.alerts.count == 4)
        #expect(a.alerts.allSatisfy { $0.contains("not adopted") })
        #expect(m.clientOrderID(forOrderID: "84") == id)
        for o: VenueOrderID in ["80", "81", "82", "83"] { #expect(m.clientOrderID(forOrderID: o) == nil) }
        #expect(a.resends.isEmpty)
    }

    @Test func withNoMatchingOrderTheLookupCountsAsNotFound() {
        var m = makeManager()
        m.restore(intent(), clientOrderID: restoredID, orderID: nil)
        let a = m.lookupResult(restoredID, candidates: [status("90", cid: restoredID.rawValue, price: "99.00")], now: 10)
        #expect(a.alerts.count == 1)
        #expect(a.rejects == [.notPlacedBeforeRestart])
        #expect(m.clientOrderID(forOrderID: "90") == nil)
    }

    @Test func twoMatchingOrdersBindTheFirstAndCancelTheSecondAsADuplicate() {
        var m = makeManager()
        m.restore(intent(), clientOrderID: restoredID, orderID: nil)
        let a = m.lookupResult(restoredID, candidates: [status("91", cid: restoredID.rawValue),
                                                        status("92", cid: restoredID.rawValue)], now: 10)
        #expect(m.clientOrderID(forOrderID: "91") == restoredID)
        #expect(a.duplicateCancels == ["92"])
    }

    @Test func aRefusedSendFinishesTheIntentWithoutAnOrder() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        let a = m.newOrderRefused(id!, reason: "kill switch engaged", now: 1)
        #expect(a.rejects == [.refused("kill switch engaged")])
        #expect(m.order(id!)?.lifecycle.outcome != nil)
        #expect(m.order(id!)?.repliesPending == 0)
        // An acknowledged order is not touched.
        let (id2, _) = m.submit(intent(), now: 2)
        _ = m.newOrderAccepted(id2!, status: status("93", cid: id2!.rawValue), now: 3)
        #expect(m.newOrderRefused(id2!, reason: "late", now: 4).isEmpty)
    }
}
