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

    /// Quotes refused once (the engine had no mid yet after a market-data reconnect) are
    /// tried again a second later even though the mid has not moved: found by the
    /// WebSocket feeds test, where the maker then sat unquoted until the end. A refusal
    /// that holds is retried once a second, not on every book.
    @Test func refusedQuotesAreRetriedASecondLaterAtTheSameMidNotOnEveryBook() throws {
        let ctx = FakeContext()
        let mm = try make()
        mm.start(context: ctx)
        ctx.refuseAll = .risk(rule: "no_mid_price", message: "no mid yet")
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.isEmpty)
        #expect(ctx.timers["market-maker.retry"] == ctx.now + 1_000)
        // More books at the same mid: no new attempt, no new refusal lines.
        let refusals = ctx.logs.filter { $0.message == "market-maker quote refused" }.count
        for _ in 0..<5 { mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx) }
        #expect(ctx.logs.filter { $0.message == "market-maker quote refused" }.count == refusals)
        ctx.refuseAll = nil
        ctx.fire("market-maker.retry", strategy: mm)
        #expect(ctx.placed.count == 2)
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

@Suite struct StrategySymbolAndDefaultTests {
    /// The engine delivers `BTCUSD`; a market maker configured with `btcusd` (or
    /// `BTCUSD`) must still requote on it, not stop after its first quotes.
    @Test func marketMakerRequotesWhateverTheCaseOfItsSymbol() throws {
        for configured in ["btcusd", "BTCUSD"] {
            let ctx = FakeContext()
            let mm = try BuiltinStrategies.registry.make(name: "market-maker", parameters: params([
                "symbol": .string(configured), "spread_bps": .int(20), "size": .string("0.001"), "requote_bps": .int(5)]))
            mm.start(context: ctx)
            mm.onBook(symbol: "BTCUSD", book: ctx.setBook("BTCUSD", bid: d("29990"), ask: d("30010")), context: ctx)
            #expect(ctx.placed.count == 2)
            #expect(ctx.placed.allSatisfy { $0.symbol == "BTCUSD" })
            // mid moves 10 bps (> requote_bps): both quotes are replaced.
            mm.onBook(symbol: "BTCUSD", book: ctx.setBook("BTCUSD", bid: d("30020"), ask: d("30040")), context: ctx)
            #expect(ctx.placed.count == 4, "configured as \(configured)")
            #expect((mm as! MarketMaker).parameters.symbol == "BTCUSD")
        }
    }

    /// An empty `[strategy.params]` is valid for every built-in that can default all of
    /// its parameters; the symbol is the engine's first.
    @Test func emptyParametersUseDocumentedDefaults() throws {
        let empty = StrategyParameters([:], symbols: ["btcusd", "ETHUSD"])
        let mm = try #require(try BuiltinStrategies.registry.make(name: "market-maker", parameters: empty) as? MarketMaker)
        #expect(mm.parameters == (try MarketMakerParameters(StrategyParameters([
            "symbol": .string("BTCUSD"), "spread_bps": .int(2), "size": .string("0.001"), "requote_bps": .int(5)]))))
        #expect(mm.parameters.maxPosition == nil && mm.parameters.skewBpsPerUnit.isZero)
        let grid = try GridParameters(empty)
        #expect(grid.symbol == "BTCUSD" && grid.levels == 3 && grid.step == .bps(5) && grid.size == d("0.001"))
        _ = try BuiltinStrategies.registry.make(name: "observe", parameters: empty)
        // TWAP cannot guess what to trade.
        #expect(throws: StrategyParameterError(parameter: "strategy.params.side", problem: .missing)) {
            try BuiltinStrategies.registry.make(name: "twap", parameters: empty)
        }
        let twap = try TWAPParameters(StrategyParameters(["side": .string("buy"), "target_amount": .string("0.01")], symbols: ["BTCUSD"]))
        #expect(twap.symbol == "BTCUSD" && twap.durationMs == 600_000 && twap.slices == 10)
        // Without engine symbols the symbol is still required.
        #expect(throws: StrategyParameterError(parameter: "strategy.params.symbol", problem: .missing)) {
            try BuiltinStrategies.registry.make(name: "market-maker", parameters: StrategyParameters([:]))
        }
    }
}
