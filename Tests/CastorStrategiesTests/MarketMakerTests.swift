import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

@Suite struct MarketMakerTests {
    func make(_ extra: [String: ParameterValue] = [:]) throws -> any Strategy {
        var p: [String: ParameterValue] = [
            "symbol": .string("btcusd"), "spread_bps": .int(20), "size": .string("0.001234567891"), "requote_bps": .int(5),
        ]
        p.merge(extra) { $1 }
        return try BuiltinStrategies.registry.make(name: "market-maker", parameters: params(p))
    }

    @Test func quotesAroundMidQuantisedTowardThePassiveSide() throws {
        let ctx = FakeContext()
        let mm = try make()
        mm.start(context: ctx)
        #expect(ctx.placed.isEmpty)
        // mid 30000.005; ±10 bps → 29970.004995 / 30030.005005
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990.00"), ask: d("30010.01")), context: ctx)
        #expect(ctx.placed.count == 2)
        let bid = try #require(ctx.placed.first { $0.side == .buy })
        let ask = try #require(ctx.placed.first { $0.side == .sell })
        #expect(bid.price == d("29970.00"))
        #expect(ask.price == d("30030.01"))
        #expect(bid.amount == d("0.00123456"))
        #expect(ask.amount == d("0.00123456"))
        #expect(bid.options == .makerOrCancel && ask.options == .makerOrCancel)
    }

    @Test func skewShiftsBothQuotesAgainstThePosition() throws {
        let ctx = FakeContext()
        ctx.positions["btcusd"] = d("2")
        let mm = try make(["skew_bps_per_unit": .string("10")])
        mm.start(context: ctx)
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        // centre = 30000 × (1 − 0.002) = 29940
        #expect(ctx.placed.map(\.price) == [d("29910.06"), d("29969.94")])

        let short = FakeContext()
        short.positions["btcusd"] = d("-2")
        let mm2 = try make(["skew_bps_per_unit": .string("10")])
        mm2.onBook(symbol: "btcusd", book: short.setBook(bid: d("29990"), ask: d("30010")), context: short)
        #expect(short.placed.map(\.price) == [d("30029.94"), d("30090.06")])
    }

    @Test func maxPositionStopsQuotingTheSideThatWouldGrowIt() throws {
        let ctx = FakeContext()
        ctx.positions["btcusd"] = d("1")
        let mm = try make(["max_position": .string("1")])
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.map(\.side) == [.sell])

        let short = FakeContext()
        short.positions["btcusd"] = d("-1.5")
        let mm2 = try make(["max_position": .string("1")])
        mm2.onBook(symbol: "btcusd", book: short.setBook(bid: d("29990"), ask: d("30010")), context: short)
        #expect(short.placed.map(\.side) == [.buy])
    }

    @Test func requotesOnlyWhenMidMovesBeyondTheThreshold() throws {
        let ctx = FakeContext()
        let mm = try make()
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 2)
        // 10 / 30000 = 3.3 bps < 5: nothing
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30000"), ask: d("30020")), context: ctx)
        #expect(ctx.placed.count == 2 && ctx.cancelled.isEmpty)
        // exactly 5 bps (15 / 30000) is not "more than": nothing
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30005"), ask: d("30025")), context: ctx)
        #expect(ctx.placed.count == 2)
        // 20 / 30000 = 6.7 bps: both replaced
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30010"), ask: d("30030")), context: ctx)
        #expect(ctx.placed.count == 4)
        #expect(ctx.cancelled == ["c1", "c2"])
        #expect(ctx.openIDs == ["c3", "c4"])
        // another book for a different symbol is ignored
        mm.onBook(symbol: "ethusd", book: ctx.setBook("ethusd", bid: d("1"), ask: d("2")), context: ctx)
        #expect(ctx.placed.count == 4)
    }

    @Test func requotesImmediatelyAfterAFillWithTheNewPosition() throws {
        let ctx = FakeContext()
        let mm = try make(["skew_bps_per_unit": .int(1000), "size": .string("0.001")])
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.openIDs == ["c1", "c2"])
        ctx.fill("c1", strategy: mm)
        // position +0.001 × 1000 bps/unit = 1 bp lower centre: 29997 → 29967.003 / 30026.997
        #expect(ctx.placed.count == 4)
        #expect(ctx.placed[2].side == .buy && ctx.placed[2].price == d("29967.00"))
        #expect(ctx.placed[3].side == .sell && ctx.placed[3].price == d("30027.00"))
        #expect(ctx.cancelled == ["c2"])
        #expect(ctx.openIDs == ["c3", "c4"])
    }

    @Test func aCancelledQuoteIsRequotedAtTheNextBook() throws {
        let ctx = FakeContext()
        let mm = try make()
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        var o = try #require(ctx.open["c1"])
        o.state = .cancelled
        ctx.cancel(clientOrderID: "c1")
        mm.onOrderUpdate(OrderUpdate(kind: .cancelled(reason: "MakerOrCancelWouldTake"), order: o, timestampMs: ctx.now), context: ctx)
        #expect(ctx.placed.count == 2)
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 4)
        #expect(ctx.placed[2].side == .buy)
    }

    @Test func reconfigureAppliesNewSpreadAndKeepsOldParametersOnError() throws {
        let ctx = FakeContext()
        let mm = try make()
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        let bad = params(["symbol": .string("btcusd"), "spread_bps": .int(-3), "size": .string("0.001")])
        #expect(throws: StrategyParameterError.self) { try mm.reconfigure(parameters: bad) }
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 2)
        try mm.reconfigure(parameters: params(["symbol": .string("btcusd"), "spread_bps": .int(100), "size": .string("0.001")]))
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 4)
        #expect(ctx.placed[2].price == d("29850.00") && ctx.placed[3].price == d("30150.00"))
    }

    @Test func adoptsOneOrderPerSideAndReturnsTheRest() throws {
        let mm = try make()
        func order(_ id: String, _ side: Side, _ symbol: String = "btcusd") -> OrderView {
            OrderView(clientOrderID: id, exchangeOrderID: nil, symbol: symbol, side: side, price: d("1"),
                      originalAmount: d("1"), executedAmount: .zero, remainingAmount: d("1"), state: .booked)
        }
        let rest = mm.adopt(openOrders: [order("a", .buy), order("b", .buy), order("c", .sell), order("d", .sell, "ethusd")])
        #expect(rest == ["b", "d"])
    }
}
