import CastorCore
import GeminiProtocol
import Testing
@testable import CastorTrading

@Suite struct ReconcilerTests {
    /// A manager with one booked order "9" and one uncertain order.
    func setUp() -> (OrderManager, ClientOrderID, ClientOrderID) {
        var m = makeManager()
        let (a, _) = m.submit(intent(), now: 0)
        _ = m.newOrderAccepted(a!, status: status("9", cid: a!.rawValue), now: 1)
        let (b, _) = m.submit(intent(.sell, price: "101"), now: 2)
        _ = m.newOrderFailed(b!, failure: .timeout, now: 3)
        return (m, a!, b!)
    }

    @Test func missedFillsDuringDisconnect() {
        var (m, a, _) = setUp()
        _ = m.handle(event: event("fill", orderID: "9", cid: a.rawValue, executed: "0.2", fill: ("100", "0.2", "100.00", "0")), now: 5)
        // While disconnected: trades 100 (already counted), 101, 102; the order is still open.
        let input = ReconciliationInput(
            local: m.localOrders,
            exchangeOpen: [.event(event("initial", orderID: "9", cid: a.rawValue, executed: "0.7"))],
            myTrades: ["BTCUSD": [trade(tid: 102, orderID: "9", amount: "0.3", ms: 30), trade(tid: 101, orderID: "9", amount: "0.2", ms: 20),
                                  trade(tid: 100, orderID: "9", amount: "0.2", ms: 10), trade(tid: 101, orderID: "9", amount: "0.2", ms: 20)]],
            ourPrefix: "cx")
        let plan = Reconciler.plan(input, ledger: m.ledger)
        #expect(plan.fills.map(\.tradeID) == [TradeID(101), TradeID(102)])
        let actions = m.apply(plan, now: 10)
        #expect(actions.fills.count == 2)
        #expect(m.order(a)?.lifecycle.executed == d("0.7") && !m.order(a)!.lifecycle.missingFills)
        #expect(m.ledger.position("BTCUSD").base == d("0.7"))
        // Applying the same plan again changes nothing.
        #expect(m.apply(plan, now: 11).fills.isEmpty)
    }

    @Test func vanishedOrderIsLookedUpThenClosed() {
        var (m, a, b) = setUp()
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders, exchangeOpen: [], ourPrefix: "cx"), ledger: m.ledger)
        #expect(plan.vanished.map(\.1) == ["9"])
        #expect(plan.lookUpByClientOrderID == [b])
        let actions = m.apply(plan, now: 10)
        #expect(actions.queries == ["9"] && actions.lookups == [b])
        // Second pass with the lookup answer.
        let done = status("9", cid: a.rawValue, executed: "1", live: false, trades: [tradeJSON(tid: 200, orderID: "9", amount: "1")])
        let plan2 = Reconciler.plan(ReconciliationInput(local: m.localOrders, exchangeOpen: [], statusByOrderID: ["9": done], ourPrefix: "cx"), ledger: m.ledger)
        #expect(plan2.resolved.count == 1)
        _ = m.apply(plan2, now: 20)
        #expect(m.order(a)?.lifecycle.phase == .closed && m.order(a)?.lifecycle.outcome == .filled)
    }

    @Test func uncertainOrderFoundInSnapshotIsBound() {
        var (m, _, b) = setUp()
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders,
            exchangeOpen: [.status(status("9", cid: nil)), .status(status("12", cid: b.rawValue, side: "sell", price: "101"))],
            ourPrefix: "cx"), ledger: m.ledger)
        #expect(plan.lookUpByClientOrderID.isEmpty && plan.open.count == 2)
        let actions = m.apply(plan, now: 10)
        #expect(actions.resends.isEmpty && actions.lookups.isEmpty)
        #expect(m.order(b)?.lifecycle.orderID == "12" && m.order(b)?.lifecycle.phase == .accepted)
    }

    @Test func unknownExchangeOrders() {
        var (m, _, _) = setUp()
        let orphan = OpenOrderReport.status(status("50", cid: "cx-oldboot-17"))
        let ui = OpenOrderReport.status(status("51", cid: nil))
        let other = OpenOrderReport.status(status("52", cid: "someoneelse-1"))
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders,
            exchangeOpen: [.status(status("9", cid: nil)), orphan, ui, other], ourPrefix: "cx"), ledger: m.ledger)
        #expect(plan.unknownOurs == [orphan] && plan.foreign == [ui, other])
        let actions = m.apply(plan, now: 1)
        #expect(actions.contains(.cancelUnknown(orderID: "50")))
        #expect(!actions.contains(.cancelUnknown(orderID: "51")) && !actions.contains(.cancelUnknown(orderID: "52")))
        #expect(actions.contains(.notifyStrategy(.unknownOrder(orderID: "51", clientOrderID: nil, ours: false))))
    }

    @Test func duplicateRevealedBySnapshot() {
        var (m, a, _) = setUp()
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders,
            exchangeOpen: [.status(status("9", cid: a.rawValue)), .status(status("13", cid: a.rawValue))], ourPrefix: "cx"), ledger: m.ledger)
        let actions = m.apply(plan, now: 1)
        #expect(actions.duplicateCancels == ["13"])
    }

    @Test func restartRestoresUncertainOrdersAndLooksThemUp() {
        var m = makeManager()
        let id = ClientOrderID("cx-boot0-5")!
        m.restore(intent(), clientOrderID: id, orderID: nil)
        #expect(m.order(id)?.lifecycle.phase == .uncertain)
        let plan = Reconciler.plan(ReconciliationInput(local: m.localOrders, exchangeOpen: [], ourPrefix: "cx"), ledger: m.ledger)
        #expect(m.apply(plan, now: 0).lookups == [id])
        // A broken trade is reported, not counted.
        let p2 = Reconciler.plan(ReconciliationInput(local: [], exchangeOpen: [],
            myTrades: ["BTCUSD": [trade(tid: 1, orderID: "424242", amount: "1", breakKind: "full")]], ourPrefix: "cx"), ledger: m.ledger)
        #expect(p2.fills.isEmpty && p2.brokenTrades.count == 1)
    }
}
