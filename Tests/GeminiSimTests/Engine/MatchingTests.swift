import CastorCore
import Testing
@testable import GeminiSim

@Suite struct MatchingTests {
    @Test func restingOrderIsBookedAndVisible() throws {
        let f = EngineFixture()
        let o = try f.place(f.alice, .buy, "0.5", "64000.00", clientOrderId: "c1")
        #expect(o.isLive && !o.isCancelled && o.remainingAmount == dec("0.5") && o.executedAmount == .zero)
        #expect(o.avgExecutionPrice.description == "0.00")
        #expect(o.symbolLowercased == "btcusd" && o.apiSession == "alice-key" && o.orderType == "exchange limit")
        let events = f.engine.drainOrderEvents()
        #expect(events.map(\.type) == [.accepted, .booked])
        #expect(events.allSatisfy { $0.order.orderId == o.orderId && $0.order.clientOrderId == "c1" })
        #expect(f.engine.book(symbol: "BTCUSD")?.bids == [SimBookLevel(price: dec("64000"), amount: dec("0.5"))])
        #expect(f.engine.drainMarketEvents() == [.level(SimLevelChange(symbol: "BTCUSD", side: .buy, price: dec("64000"), quantity: dec("0.5")))])
    }

    @Test func crossingOrderFillsAtMakerPriceWithExactFees() throws {
        let f = EngineFixture()
        let ask = try f.place(f.bob, .sell, "1", "64000.00")
        _ = f.engine.drainOrderEvents(); _ = f.engine.drainMarketEvents()
        // Buy hold: 65000 × 1 + 35 bps = 65227.5 before matching.
        let buy = try f.place(f.alice, .buy, "1", "65000.00")
        #expect(buy.executedAmount == dec("1") && !buy.isLive && buy.avgExecutionPrice == dec("64000"))
        #expect(buy.avgExecutionPrice.description == "64000.00")
        // Taker: 64000 + 0.35 % = 64224; maker receives 64000 − 0.10 % = 63936.
        #expect(f.balance(f.alice, "USD").total == dec("935776") && f.balance(f.alice, "USD").held == .zero)
        #expect(f.balance(f.alice, "BTC").total == dec("101"))
        #expect(f.balance(f.bob, "USD").total == dec("1063936") && f.balance(f.bob, "BTC").total == dec("99"))
        #expect(f.balance(f.bob, "BTC").held == .zero)
        let events = f.engine.drainOrderEvents()
        #expect(f.eventTypes(events, account: f.alice) == [.accepted, .fill, .closed])
        #expect(f.eventTypes(events, account: f.bob) == [.fill, .closed])
        let takerFill = events.first { $0.accountId == f.alice && $0.type == .fill }!.fill!
        let makerFill = events.first { $0.accountId == f.bob && $0.type == .fill }!.fill!
        #expect(takerFill.liquidity == .taker && takerFill.fee == dec("224") && takerFill.feeCurrency == "USD")
        #expect(makerFill.liquidity == .maker && makerFill.fee == dec("64") && makerFill.tradeId == takerFill.tradeId)
        let market = f.engine.drainMarketEvents()
        #expect(market.contains(.trade(SimPublicTrade(symbol: "BTCUSD", tid: takerFill.tradeId, price: dec("64000"),
                                                      quantity: dec("1"), takerSide: .buy, timestampms: f.clock.ms))))
        #expect(market.contains(.level(SimLevelChange(symbol: "BTCUSD", side: .sell, price: dec("64000"), quantity: .zero))))
        #expect(try f.engine.orderStatus(orderId: ask.orderId, account: f.bob).isFilled)
        #expect(f.engine.notionalVolume(account: f.alice)?.notionalVolume == dec("64000"))
    }

    @Test func priceImprovementReleasesTheDifference() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "1", "64000.00")
        let buy = try f.place(f.alice, .buy, "2", "65000.00")
        #expect(buy.isLive && buy.executedAmount == dec("1") && buy.remainingAmount == dec("1"))
        // Remaining hold: 65000 × 1 × 1.0035 = 65227.5; spent 64224.
        #expect(f.balance(f.alice, "USD").held == dec("65227.5"))
        #expect(f.balance(f.alice, "USD").available == dec("1000000") - dec("64224") - dec("65227.5"))
        let events = f.engine.drainOrderEvents()
        #expect(f.eventTypes(events, account: f.alice) == [.accepted, .fill, .booked])
    }

    @Test func pricetimePriorityAndPartialFills() throws {
        let f = EngineFixture()
        let carol = f.engine.createAccount(name: "carol", balances: ["BTC": dec("10"), "USD": dec("1000000")])
        let first = try f.place(f.bob, .sell, "0.3", "64001.00")
        let second = try f.engine.placeOrder(.init(symbol: "BTCUSD", side: .sell, amount: dec("0.3"), price: dec("64001")),
                                             account: carol, session: "carol")
        let better = try f.place(f.bob, .sell, "0.2", "64000.00")
        _ = f.engine.drainOrderEvents()
        let buy = try f.place(f.alice, .buy, "0.6", "64001.00")
        #expect(buy.executedAmount == dec("0.6") && !buy.isLive)
        let fills = f.engine.drainOrderEvents().filter { $0.type == .fill && $0.accountId != f.alice }
        #expect(fills.map(\.order.orderId) == [better.orderId, first.orderId, second.orderId])
        #expect(fills.map { $0.fill!.amount } == [dec("0.2"), dec("0.3"), dec("0.1")])
        let rest = try f.engine.orderStatus(orderId: second.orderId, account: carol)
        #expect(rest.isLive && rest.executedAmount == dec("0.1") && rest.remainingAmount == dec("0.2"))
        // avg = (0.2·64000 + 0.4·64001) / 0.6
        #expect(buy.avgExecutionPrice.description == "64000.666666666666")
        #expect(f.engine.book(symbol: "btcusd")?.asks == [SimBookLevel(price: dec("64001"), amount: dec("0.2"))])
    }

    @Test func makerOrCancelWouldTake() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "1", "64000.00")
        _ = f.engine.drainOrderEvents()
        let moc = try f.place(f.alice, .buy, "1", "64000.00", options: ["maker-or-cancel"])
        #expect(moc.isCancelled && !moc.isLive && moc.reason == "MakerOrCancelWouldTake" && moc.executedAmount == .zero)
        let events = f.engine.drainOrderEvents()
        #expect(f.eventTypes(events, account: f.alice) == [.accepted, .cancelled, .closed])
        #expect(events.first { $0.type == .cancelled }?.reason == "MakerOrCancelWouldTake")
        #expect(f.balance(f.alice, "USD").held == .zero)
        let posted = try f.place(f.alice, .buy, "1", "63999.99", options: ["maker-or-cancel"])
        #expect(posted.isLive && posted.options == ["maker-or-cancel"])
    }

    @Test func immediateOrCancelFillsThenCancelsRest() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "0.4", "64000.00")
        _ = f.engine.drainOrderEvents()
        let ioc = try f.place(f.alice, .buy, "1", "64100.00", options: ["immediate-or-cancel"])
        #expect(ioc.isCancelled && ioc.reason == "ImmediateOrCancelWouldPost")
        #expect(ioc.executedAmount == dec("0.4") && ioc.remainingAmount == dec("0.6"))
        #expect(f.eventTypes(f.engine.drainOrderEvents(), account: f.alice) == [.accepted, .fill, .cancelled, .closed])
        #expect(f.balance(f.alice, "USD").held == .zero && f.engine.book(symbol: "btcusd")!.bids.isEmpty)
        let nothing = try f.place(f.alice, .buy, "1", "100.00", options: ["immediate-or-cancel"])
        #expect(nothing.isCancelled && nothing.executedAmount == .zero)
    }

    @Test func fillOrKillAllOrNothing() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "0.4", "64000.00")
        try f.place(f.bob, .sell, "0.4", "64050.00")
        _ = f.engine.drainOrderEvents()
        let killed = try f.place(f.alice, .buy, "1", "64100.00", options: ["fill-or-kill"])
        #expect(killed.isCancelled && killed.reason == "FillOrKillWouldNotFill" && killed.executedAmount == .zero)
        #expect(f.eventTypes(f.engine.drainOrderEvents(), account: f.alice) == [.accepted, .cancelled, .closed])
        #expect(f.engine.book(symbol: "btcusd")!.asks.count == 2)
        let filled = try f.place(f.alice, .buy, "0.8", "64050.00", options: ["fill-or-kill"])
        #expect(filled.isFilled && filled.executedAmount == dec("0.8"))
        #expect(f.eventTypes(f.engine.drainOrderEvents(), account: f.alice) == [.accepted, .fill, .fill, .closed])
    }

    @Test func selfTradePreventionCancelsIncomingKeepsPriorFills() throws {
        let f = EngineFixture()
        try f.place(f.bob, .sell, "0.5", "64000.00")
        let own = try f.place(f.alice, .sell, "0.5", "64010.00")
        _ = f.engine.drainOrderEvents()
        let buy = try f.place(f.alice, .buy, "1", "64020.00")
        #expect(buy.isCancelled && buy.reason == "SelfCrossPrevented" && buy.executedAmount == dec("0.5"))
        #expect(f.eventTypes(f.engine.drainOrderEvents(), account: f.alice) == [.accepted, .fill, .cancelled, .closed])
        let resting = try f.engine.orderStatus(orderId: own.orderId, account: f.alice)
        #expect(resting.isLive && resting.executedAmount == .zero)
        #expect(f.balance(f.alice, "USD").held == .zero)
        #expect(f.balance(f.alice, "BTC").held == dec("0.5"))
    }

    @Test func stopLimitTriggersOnTradeThroughStop() throws {
        let f = EngineFixture()
        let carol = f.engine.createAccount(name: "carol", balances: ["BTC": dec("10"), "USD": dec("1000000")])
        let stop = try f.engine.placeOrder(.init(symbol: "BTCUSD", side: .buy, amount: dec("0.5"), price: dec("64200"),
                                                 stopPrice: dec("64100")), account: carol, session: "carol")
        #expect(stop.isLive && stop.orderType == "exchange stop limit" && stop.stopPrice == dec("64100"))
        #expect(f.engine.book(symbol: "btcusd")!.bids.isEmpty)
        #expect(f.engine.activeOrders(account: carol).map(\.orderId) == [stop.orderId])
        #expect(f.balance(f.alice, "USD").held == .zero)
        try f.place(f.bob, .sell, "1", "64000.00")
        try f.place(f.bob, .sell, "1", "64150.00")
        try f.place(f.alice, .buy, "0.1", "64000.00")          // trade at 64000: below the stop
        #expect(try f.engine.orderStatus(orderId: stop.orderId, account: carol).executedAmount == .zero)
        _ = f.engine.drainOrderEvents()
        try f.place(f.alice, .buy, "1", "64150.00")            // prints 64000 then 64150 ≥ stop
        let s = try f.engine.orderStatus(orderId: stop.orderId, account: carol, includeTrades: true)
        #expect(s.isFilled && s.avgExecutionPrice == dec("64150") && s.trades?.count == 1)
        let events = f.engine.drainOrderEvents()
        #expect(f.eventTypes(events, account: carol) == [.fill, .closed])
        #expect(f.balance(carol, "USD").held == .zero)
    }

    @Test func sellStopRestsWhenNothingToHit() throws {
        let f = EngineFixture()
        let stop = try f.engine.placeOrder(.init(symbol: "BTCUSD", side: .sell, amount: dec("1"), price: dec("63000"),
                                                 stopPrice: dec("63500")), account: f.bob, session: "bob-key")
        #expect(f.balance(f.bob, "BTC").held == dec("1"))
        try f.place(f.alice, .sell, "0.1", "63400.00")
        let carol = f.engine.createAccount(name: "carol", balances: ["USD": dec("100000")])
        try f.engine.placeOrder(.init(symbol: "BTCUSD", side: .buy, amount: dec("0.1"), price: dec("63400")), account: carol, session: "c")
        let s = try f.engine.orderStatus(orderId: stop.orderId, account: f.bob)
        #expect(s.isLive && s.executedAmount == .zero)
        #expect(f.engine.book(symbol: "btcusd")!.asks == [SimBookLevel(price: dec("63000"), amount: dec("1"))])
    }
}
