import CastorTestSupport
import CastorCore
import CastorFeeds
import GeminiProtocol
import Testing
@testable import CastorTrading

extension Array where Element == OrderAction {
    var orphanCancels: [VenueOrderID] { compactMap { if case .cancelUnknown(let id) = $0 { id } else { nil } } }
    var foreignFills: [LedgerFill] { compactMap { if case .notifyStrategy(.foreignFill(let f)) = $0 { f } else { nil } } }
}

/// Which exchange orders and fills belong to this instance (issue 10, defects 2 and 5):
/// several instances share one account, each with its key's prefix; orphans of ours are
/// cancelled and counted; every fill of ours is recorded, no fill of another's is.
@Suite(.tags(.slow)) struct OwnershipTests {
    /// Another castor on the same account: prefix "cx" plus another key's tag.
    private let otherInstanceID = "cxzzzzz-boot9-1"

    @Test func eachKeyGetsItsOwnStablePrefix() throws {
        let a = ClientOrderIDGenerator.instancePrefix(base: "cx", apiKey: "account-AAAAAAAAAAAAAAAAAAAA")
        let b = ClientOrderIDGenerator.instancePrefix(base: "cx", apiKey: "account-BBBBBBBBBBBBBBBBBBBB")
        #expect(a != b)
        #expect(a == ClientOrderIDGenerator.instancePrefix(base: "cx", apiKey: "account-AAAAAAAAAAAAAAAAAAAA"))
        #expect(a.count == 7 && a.hasPrefix("cx"))
        #expect(ClientOrderIDGenerator.instancePrefix(base: "cx", apiKey: nil) == "cx")
        var g = try ClientOrderIDGenerator(prefix: a, boot: ClientOrderIDGenerator.bootToken(startTimeMilliseconds: 4_102_444_800_000))
        let id = try g.next()
        #expect(id.rawValue.utf8.count <= 36)
        let other = try ClientOrderIDGenerator(prefix: b, boot: "x")
        #expect(g.isOurs(id) && !other.isOurs(id))
    }

    @Test func anotherInstancesOrderIsLeftAloneAndItsFillsAreNotCounted() {
        var m = makeManager()
        var a = m.handle(event: event("accepted", orderID: "500", cid: otherInstanceID), now: 1)
        a += m.handle(event: event("fill", orderID: "500", cid: otherInstanceID, executed: "0.1"), now: 2)
        #expect(a.orphanCancels.isEmpty && a.cancels.isEmpty)
        #expect(a.fills.isEmpty)
        #expect(a.foreignFills.count == 1)
        #expect(m.ledger.position("BTCUSD").base.isZero)
        #expect(m.exposure("BTCUSD").openOrders == 0)
        // Reported once, however often the same trade is seen again.
        let again = m.handle(event: event("fill", orderID: "500", cid: otherInstanceID, executed: "0.1"), now: 3)
        #expect(again.foreignFills.isEmpty)
    }

    @Test func anOrphanOnTheLiveFeedIsCancelledAtOnceAndCountedUntilGone() {
        var m = makeManager()
        let orphan = "cx-lost1-3"
        let a = m.handle(event: event("accepted", orderID: "600", cid: orphan, original: "2"), now: 1)
        #expect(a.orphanCancels == ["600"])
        var e = m.exposure("BTCUSD")
        #expect(e.openOrders == 1 && e.openBuy == d("2") && e.openSell.isZero)
        // A fill of the orphan is ours: counted, and the exposure shrinks.
        let f = m.handle(event: event("fill", orderID: "600", cid: orphan, original: "2", executed: "0.5"), now: 2)
        #expect(f.fills.count == 1 && f.orphanCancels.isEmpty)
        #expect(m.ledger.position("BTCUSD").base == d("0.1"))
        e = m.exposure("BTCUSD")
        #expect(e.openBuy == d("1.5"))
        // The cancel's answer finishes it.
        _ = m.cancelResult(orderID: "600", .success(status("600", cid: orphan, original: "2", executed: "0.5",
                                                             live: false, cancelled: true)), now: 3)
        #expect(m.orphans.isEmpty)
        #expect(m.exposure("BTCUSD").openOrders == 0)
    }

    /// The lookup lagged: the intent was closed as not placed, then its order shows up live.
    @Test func anOrderThatTurnsUpAfterItsIntentWasClosedIsCancelledAndCounted() {
        var m = makeManager()
        let id = ClientOrderID("cx-old1-7")!
        m.restore(intent(), clientOrderID: id, orderID: nil)
        #expect(m.lookupResult(id, candidates: [], now: 1).rejects == [.notPlacedBeforeRestart])
        let a = m.handle(event: event("accepted", orderID: "650", cid: id.rawValue), now: 2)
        #expect(a.orphanCancels == ["650"])
        #expect(m.exposure("BTCUSD").openOrders == 1)
        _ = m.cancelResult(orderID: "650", .success(status("650", cid: id.rawValue, live: false, cancelled: true)), now: 3)
        #expect(m.exposure("BTCUSD").openOrders == 0)
    }

    @Test func theKillSwitchCancelsOrphansToo() {
        var m = makeManager()
        _ = m.handle(event: event("accepted", orderID: "601", cid: "cx-lost1-4"),
                     now: 1)
        // The first cancel went out when it was found; the kill switch does not repeat it...
        #expect(m.cancelAll(now: 2).orphanCancels.isEmpty)
        // ...but asks again once the exchange still lists it open.
        let plan = Reconciler.plan(ReconciliationInput(local: [], exchangeOpen: [.status(status("601", cid: "cx-lost1-4"))],
                                                       ourPrefix: "cx"), ledger: m.ledger)
        #expect(m.apply(plan, now: 3).orphanCancels == ["601"])
    }

    @Test func aLateFillOfAnOrderAlreadyRemovedFromMemoryIsRecorded() {
        var m = makeManager()
        let (id, _) = m.submit(intent(), now: 0)
        _ = m.newOrderAccepted(id!, status: status("700", cid: id!.rawValue), now: 1)
        _ = m.handle(event: event("cancelled", orderID: "700", cid: id!.rawValue, live: false, cancelled: true), now: 2)
        _ = m.handle(event: event("closed", orderID: "700", cid: id!.rawValue, live: false, cancelled: true), now: 2)
        #expect(m.removeClosed() == [id!])
        #expect(m.order(id!) == nil)
        let a = m.handle(event: event("fill", orderID: "700", cid: id!.rawValue, executed: "0.1"), now: 3)
        #expect(a.fills.count == 1)
        #expect(m.ledger.position("BTCUSD").base == d("0.1"))
    }

    @Test func reconciliationCountsOnlyOurFillsAndTracksOrphans() {
        var m = makeManager()
        let trades: [Symbol: [TradeReport]] = ["BTCUSD": [
            trade(tid: 1, orderID: "800", cid: otherInstanceID, amount: "1", ms: 1_700_000_000_001),
            trade(tid: 2, orderID: "801", cid: "cx-lost1-9", amount: "0.25", ms: 1_700_000_000_002),
            trade(tid: 3, orderID: "802", amount: "3", ms: 1_700_000_000_003),  // the website's: no client order id
        ]]
        let open: [OpenOrderReport] = [.status(status("801", cid: "cx-lost1-9", original: "1", executed: "0.25")),
                                       .status(status("803", cid: otherInstanceID))]
        let plan = Reconciler.plan(ReconciliationInput(local: [], exchangeOpen: open, myTrades: trades, ourPrefix: "cx"),
                                   ledger: m.ledger)
        let a = m.apply(plan, now: 1)
        #expect(a.fills.map(\.tradeID) == [TradeID(2)])
        #expect(Set(a.foreignFills.map(\.tradeID)) == [TradeID(1), TradeID(3)])
        #expect(m.ledger.position("BTCUSD").base == d("0.25"))
        #expect(a.orphanCancels == ["801"])
        #expect(m.exposure("BTCUSD").openBuy == d("0.75"))
        // Gone from the next open list: finished, no longer counted.
        let next = Reconciler.plan(ReconciliationInput(local: [], exchangeOpen: [], ourPrefix: "cx"), ledger: m.ledger)
        _ = m.apply(next, now: 2)
        #expect(m.orphans.isEmpty)
    }

    /// Memory does not grow with the number of orders ever traded.
    @Test func finishedOrdersAreForgottenAfterABoundedNumber() {
        var m = makeManager()
        let n = OrderManager.recentCapacity + 500
        for i in 0..<n {
            let (id, _) = m.submit(intent(), now: Int64(i))
            let orderID = VenueOrderID(Int64(10_000 + i))
            _ = m.newOrderAccepted(id!, status: status(orderID, cid: id!.rawValue), now: Int64(i))
            _ = m.handle(event: event("cancelled", orderID: orderID, cid: id!.rawValue, live: false, cancelled: true),
                         now: Int64(i))
            _ = m.handle(event: event("closed", orderID: orderID, cid: id!.rawValue, live: false, cancelled: true),
                         now: Int64(i))
            _ = m.removeClosed()
        }
        #expect(m.orders.isEmpty)
        #expect(m.clientIDByOrderID.count == OrderManager.recentCapacity)
        // The newest are still recognised; the oldest forgotten.
        #expect(m.clientOrderID(forOrderID: VenueOrderID(Int64(10_000 + n - 1))) != nil)
        #expect(m.clientOrderID(forOrderID: "10000") == nil)
    }

    @Test func riskLimitsRefuseValuesTooLargeToComputeInsteadOfTrapping() {
        var r = RiskChecker(defaultLimits: RiskCheckLimits(maxOrderNotional: 1_000, maxPosition: 1, maxOpenOrders: 10,
                                                      priceBandBps: 100))
        let huge = ExactDecimal(mantissa: Int128.max / 10, scale: 0)
        let big = OrderIntent(symbol: "BTCUSD", side: .buy, amount: huge, price: huge)
        #expect(!r.check(big, context: RiskContext(mid: d("100"), position: .zero, openOrders: 0,
                                                 openBuyAmount: .zero, openSellAmount: .zero), now: 0).isAllowed)
        r = RiskChecker(defaultLimits: RiskCheckLimits(maxPosition: 1))
        let saturated = huge.addingSaturating(huge).addingSaturating(huge).addingSaturating(huge)
            .addingSaturating(huge).addingSaturating(huge).addingSaturating(huge).addingSaturating(huge)
            .addingSaturating(huge).addingSaturating(huge).addingSaturating(huge)
        #expect(saturated.mantissa == Int128.max)
        let small = OrderIntent(symbol: "BTCUSD", side: .buy, amount: d("0.1"), price: d("100"))
        #expect(!r.check(small, context: RiskContext(mid: nil, position: huge, openOrders: 0,
                                                   openBuyAmount: saturated, openSellAmount: .zero), now: 0).isAllowed)
        r = RiskChecker(defaultLimits: RiskCheckLimits(priceBandBps: 100))
        #expect(!r.check(small, context: RiskContext(mid: huge, position: .zero, openOrders: 0,
                                                   openBuyAmount: .zero, openSellAmount: .zero), now: 0).isAllowed)
    }
}
