import CastorCore
import Testing
@testable import GeminiSim

@Suite struct CancelAndQueryTests {
    @Test func cancelByIdVariants() throws {
        let f = EngineFixture()
        let o = try f.place(f.alice, .buy, "1", "64000.00")
        _ = f.engine.drainOrderEvents(); _ = f.engine.drainMarketEvents()
        let c = try f.engine.cancelOrder(orderId: o.orderId, account: f.alice)
        #expect(c.isCancelled && !c.isLive && c.reason == "Requested" && c.remainingAmount == dec("1"))
        let events = f.engine.drainOrderEvents()
        #expect(events.map(\.type) == [.cancelled, .closed])
        #expect(events[0].reason == "Requested" && events[0].cancelCommandId != nil)
        #expect(f.engine.drainMarketEvents() == [.level(SimLevelChange(symbol: "BTCUSD", side: .buy, price: dec("64000"), quantity: .zero))])
        #expect(f.balance(f.alice, "USD").held == .zero)
        // Already cancelled: succeeds with its status, nothing new.
        let again = try f.engine.cancelOrder(orderId: o.orderId, account: f.alice)
        #expect(again.isCancelled && f.engine.drainOrderEvents().isEmpty)
        // Filled: status with is_cancelled false.
        try f.place(f.bob, .sell, "1", "64000.00")
        let filled = try f.place(f.alice, .buy, "1", "64000.00")
        let cf = try f.engine.cancelOrder(orderId: filled.orderId, account: f.alice)
        #expect(!cf.isCancelled && cf.remainingAmount == .zero)
        // Unknown, or someone else's: 404 OrderNotFound.
        #expect(throws: SimError.orderNotFound("42")) { try f.engine.cancelOrder(orderId: 42, account: f.alice) }
        let bobs = try f.place(f.bob, .sell, "1", "65000.00")
        do { try f.engine.cancelOrder(orderId: bobs.orderId, account: f.alice); Issue.record("cancelled another account's order") } catch {
            #expect(error.reason == "OrderNotFound" && error.httpStatus == 404)
        }
    }

    @Test func cancelSessionOnlyTouchesThatSession() throws {
        let f = EngineFixture()
        f.engine.addAPISession("alice-key-2", account: f.alice)
        let a1 = try f.place(f.alice, .buy, "1", "60000.00")
        let a2 = try f.place(f.alice, .sell, "1", "70000.00")
        let other = try f.engine.placeOrder(.init(symbol: "ETHUSD", side: .buy, amount: dec("1"), price: dec("3000")),
                                            account: f.alice, session: "alice-key-2")
        let bobs = try f.place(f.bob, .buy, "1", "60000.00")
        let summary = f.engine.cancelSession(account: f.alice, session: "alice-key")
        #expect(summary.cancelledOrders == [a1.orderId, a2.orderId] && summary.cancelRejects.isEmpty)
        #expect(f.engine.activeOrders(account: f.alice).map(\.orderId) == [other.orderId])
        #expect(f.engine.activeOrders(account: f.bob).map(\.orderId) == [bobs.orderId])
        let all = f.engine.cancelAll(account: f.alice)
        #expect(all.cancelledOrders == [other.orderId])
        #expect(f.engine.activeOrders(account: f.alice).isEmpty)
        #expect(f.engine.balances(account: f.alice).allSatisfy { $0.held == .zero })
        #expect(f.engine.cancelSession(account: f.alice, session: "alice-key").cancelledOrders.isEmpty)
    }

    @Test func statusByClientOrderIdWithTrades() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "0.25", "64000.00")
        try f.place(f.bob, .sell, "0.25", "64000.50")
        let o = try f.place(f.alice, .buy, "1", "64000.50", clientOrderId: "my-order-1")
        let s = try f.engine.orderStatus(clientOrderId: "my-order-1", account: f.alice, includeTrades: true)
        #expect(s.orderId == o.orderId && s.executedAmount == dec("0.5") && s.isLive)
        #expect(s.trades?.map(\.price) == [dec("64000"), dec("64000.50")])
        #expect(s.trades?.allSatisfy { $0.aggressor && $0.clientOrderId == "my-order-1" && $0.side == .buy } == true)
        #expect(try f.engine.orderStatus(orderId: o.orderId, account: f.alice).trades == nil)
        #expect(throws: SimError.self) { try f.engine.orderStatus(clientOrderId: "my-order-1", account: f.bob) }
        // The most recent order with a reused id wins.
        let newer = try f.place(f.alice, .buy, "1", "60000.00", clientOrderId: "my-order-1")
        #expect(try f.engine.orderStatus(clientOrderId: "my-order-1", account: f.alice).orderId == newer.orderId)
        // What `/v1/order/status` by client order id answers: every order carrying it.
        #expect(try f.engine.orders(clientOrderId: "my-order-1", account: f.alice).map(\.orderId) == [o.orderId, newer.orderId])
        #expect(throws: SimError.self) { try f.engine.orders(clientOrderId: "my-order-1", account: f.bob) }
    }

    @Test func myTradesNewestFirstSinceAndLimit() throws {
        let f = EngineFixture()
        var tids: [Int64] = []
        for i in 0..<5 {
            f.clock.advance(1000)
            try f.place(f.bob, .sell, "0.1", "64000.00")
            try f.place(f.alice, .buy, "0.1", "64000.00", clientOrderId: "b\(i)")
            tids.append(f.engine.myTrades(account: f.alice, sinceMs: f.clock.ms, limit: 1)[0].tid)
        }
        try f.place(f.bob, .sell, "1", "3000.00", symbol: "ETHUSD")
        try f.place(f.alice, .buy, "1", "3000.00", symbol: "ETHUSD")
        let btc = f.engine.myTrades(account: f.alice, symbol: "btcusd")
        #expect(btc.map(\.tid) == tids.reversed())
        #expect(btc.allSatisfy { $0.symbol == "BTCUSD" && $0.side.capitalized == "Buy" && $0.feeCurrency == "USD" })
        #expect(btc[0].feeAmount == dec("22.4") && btc[0].clientOrderId == "b4")
        #expect(f.engine.myTrades(account: f.alice).count == 6)
        // A short page holds the OLDEST trades at or after the time, newest first (Gemini's
        // paging: ask again from the newest time returned).
        #expect(f.engine.myTrades(account: f.alice, symbol: "BTCUSD", limit: 2).map(\.tid) == [tids[1], tids[0]])
        let since = f.engine.myTrades(account: f.alice, symbol: "BTCUSD", sinceMs: f.clock.ms - 1000)
        #expect(since.map(\.tid) == [tids[4], tids[3]])
        let bobs = f.engine.myTrades(account: f.bob, symbol: "BTCUSD")
        #expect(bobs.allSatisfy { !$0.aggressor && $0.side == .sell && $0.feeAmount == dec("6.4") })
        #expect(f.engine.recentTrades(symbol: "btcusd", limit: 3).map(\.tid) == [tids[4], tids[3], tids[2]])
    }

    @Test func myTradesPageForwardFromTheNewestTimeReturnsEveryTradeOnce() throws {
        let f = EngineFixture()
        var placed: [Int64] = []
        for i in 0..<1_200 {
            if i % 7 == 0 { f.clock.advance(1) }  // several trades share a millisecond
            try f.place(f.bob, .sell, "0.001", "64000.00")
            try f.place(f.alice, .buy, "0.001", "64000.00")
            placed.append(f.engine.myTrades(account: f.alice, sinceMs: f.clock.ms, limit: 500).first!.tid)
        }
        var seen: [Int64] = []
        var since: Int64 = 0
        while true {
            let page = f.engine.myTrades(account: f.alice, symbol: "BTCUSD", sinceMs: since, limit: 500)
            let fresh = page.map(\.tid).filter { !seen.contains($0) }
            seen += fresh.reversed()
            guard page.count == 500, !fresh.isEmpty else { break }
            since = page.map(\.timestampms).max()!
        }
        #expect(seen.count == 1_200)
        #expect(Set(seen) == Set(placed))
    }

    @Test func bookSnapshotAggregatesBestFirst() throws {
        let f = EngineFixture()
        try f.place(f.alice, .buy, "1", "100.00")
        try f.place(f.alice, .buy, "2", "101.00")
        try f.place(f.bob, .buy, "0.5", "101.00")
        try f.place(f.bob, .sell, "1", "103.00")
        try f.place(f.bob, .sell, "1", "102.00")
        let book = f.engine.book(symbol: "BTCUSD")!
        #expect(book.bids == [SimBookLevel(price: dec("101"), amount: dec("2.5")), SimBookLevel(price: dec("100"), amount: dec("1"))])
        #expect(book.asks.map(\.price) == [dec("102"), dec("103")])
        #expect(f.engine.book(symbol: "BTCUSD", depth: 1)!.bids.count == 1)
        #expect(f.engine.topOfBook(symbol: "btcusd") == (dec("101"), dec("102")))
        #expect(f.engine.book(symbol: "nope") == nil)
    }

    @Test func ledgerHoldsEveryOrderAndFill() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "1", "64000.00")
        try f.place(f.alice, .buy, "0.4", "64000.00")
        try f.place(f.alice, .buy, "1", "50000.00")
        _ = try? f.place(f.alice, .buy, "1", "0")
        let ledger = f.engine.ledger(account: f.alice)
        #expect(ledger.orders.count == 2 && ledger.trades.count == 1)
        #expect(ledger.orders[0].trades?.map(\.tid) == ledger.trades.map(\.tid))
        #expect(f.engine.ledger(account: f.bob).trades.map(\.tid) == ledger.trades.map(\.tid))
    }

    @Test func idsIncreaseAndEventsCarrySnapshots() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "0.5", "64000.00")
        try f.place(f.alice, .buy, "1", "64000.00")
        try f.engine.cancelOrder(orderId: f.engine.activeOrders(account: f.alice)[0].orderId, account: f.alice)
        let events = f.engine.drainOrderEvents()
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.eventId < $1.eventId })
        let alice = events.filter { $0.accountId == f.alice }
        #expect(alice.map(\.type) == [.accepted, .fill, .booked, .cancelled, .closed])
        #expect(alice.map(\.order.executedAmount) == [.zero, dec("0.5"), dec("0.5"), dec("0.5"), dec("0.5")])
        #expect(alice.map(\.order.isLive) == [true, true, true, false, false])
        #expect(alice.map(\.order.isCancelled) == [false, false, false, true, true])
        #expect(alice.allSatisfy { $0.order.orderId < $0.eventId })
    }

    @Test func rejectedEventOnlyAndNoOrderRecorded() {
        let f = EngineFixture()
        _ = try? f.place(f.alice, .buy, "1", "1.001", clientOrderId: "bad-price")
        let events = f.engine.drainOrderEvents()
        #expect(events.count == 1 && events[0].type == .rejected && events[0].reason == "InvalidPrice")
        #expect(events[0].order.clientOrderId == "bad-price" && events[0].order.symbol == "BTCUSD" && !events[0].order.isLive)
        #expect(throws: SimError.self) { try f.engine.orderStatus(clientOrderId: "bad-price", account: f.alice) }
        #expect(f.engine.drainMarketEvents().isEmpty)
    }
}
