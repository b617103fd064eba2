import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

@Suite struct ObserveTests {
    @Test func logsAtMostOncePerIntervalAndPlacesNothing() throws {
        let ctx = FakeContext()
        let o = try BuiltinStrategies.registry.make(name: "observe", parameters: params(["log_interval": .string("5s")]))
        o.start(context: ctx)
        o.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("100"), ask: d("101")), context: ctx)
        ctx.now += 1000
        o.onTrade(MarketTrade(symbol: "btcusd", tradeID: "1", price: d("100.5"), amount: d("0.2"), takerSide: .buy, timestampMs: ctx.now), context: ctx)
        o.onTrade(MarketTrade(symbol: "btcusd", tradeID: "2", price: d("100.6"), amount: d("0.3"), takerSide: .sell, timestampMs: ctx.now), context: ctx)
        o.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("100"), ask: d("102")), context: ctx)
        ctx.now += 4000
        o.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("99"), ask: d("102")), context: ctx)
        o.stop(context: ctx)

        let market = ctx.logs.filter { $0.message == "market" }
        #expect(market.count == 2)
        #expect(market[0].fields["bid"] == "100" && market[0].fields["ask"] == "101" && market[0].fields["spread"] == "1")
        #expect(market[1].fields["spread"] == "3" && market[1].fields["trades"] == "2")
        #expect(market[1].fields["volume"] == "0.5" && market[1].fields["last"] == "100.6")
        #expect(ctx.placed.isEmpty && ctx.cancelled.isEmpty && ctx.cancelledAll.isEmpty && ctx.timers.isEmpty)
    }

    @Test func filtersBySymbolWhenGiven() throws {
        let ctx = FakeContext()
        let o = try BuiltinStrategies.registry.make(name: "observe", parameters: params(["symbol": .string("ethusd")]))
        o.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("100"), ask: d("101")), context: ctx)
        #expect(ctx.logs.isEmpty)
        o.onBook(symbol: "ethusd", book: ctx.setBook("ethusd", bid: d("1"), ask: d("2")), context: ctx)
        #expect(ctx.logs.count == 1)
    }

    @Test func reconfigureRejectsABadIntervalAndKeepsTheOld() throws {
        let o = try #require(try BuiltinStrategies.registry.make(name: "observe", parameters: params([:])) as? Observe)
        #expect(o.parameters.logIntervalMs == 10_000)
        #expect(throws: StrategyParameterError.self) { try o.reconfigure(parameters: params(["log_interval": .string("0s")])) }
        #expect(o.parameters.logIntervalMs == 10_000)
        try o.reconfigure(parameters: params(["log_interval": .string("1.5s")]))
        #expect(o.parameters.logIntervalMs == 1_500)
    }
}
