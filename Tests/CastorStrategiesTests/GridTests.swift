import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

@Suite struct GridTests {
    func make(_ extra: [String: ParameterValue] = [:]) throws -> any Strategy {
        var p: [String: ParameterValue] = ["symbol": .string("btcusd"), "levels": .int(2), "step_bps": .int(10), "size": .string("0.01")]
        p.merge(extra) { $1 }
        return try BuiltinStrategies.registry.make(name: "grid", parameters: params(p))
    }

    @Test func laysOutLevelsAroundMidAtStart() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: d("29990"), ask: d("30010"))
        let g = try make()
        g.start(context: ctx)
        // step = 30000 × 10 bps = 30
        let ladder = ctx.placed.map { "\($0.side.rawValue) \($0.price.normalized)" }
        #expect(ladder == ["buy 29970", "sell 30030", "buy 29940", "sell 30060"])
        #expect(ctx.placed.allSatisfy { $0.amount == d("0.01") && $0.options == .makerOrCancel })
        // further books do not lay it out again
        g.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("31000"), ask: d("31010")), context: ctx)
        #expect(ctx.placed.count == 4)
    }

    @Test func waitsForABookWhenNoReferenceIsGiven() throws {
        let ctx = FakeContext()
        let g = try BuiltinStrategies.registry.make(name: "grid", parameters: params([
            "symbol": .string("btcusd"), "levels": .int(2), "step": .string("25"), "size": .string("0.01"),
        ]))
        g.start(context: ctx)
        #expect(ctx.placed.isEmpty)
        g.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("99"), ask: d("101")), context: ctx)
        // reference 100, step 25: the level at 100 − 50 = 50 and 75; sells at 125, 150
        #expect(ctx.placed.map(\.price) == [d("75"), d("125"), d("50"), d("150")])
    }

    @Test func refillsTheOppositeSideOneStepAwayWhenALevelFills() throws {
        let ctx = FakeContext()
        let g = try make(["reference": .string("30000")])
        g.start(context: ctx)
        #expect(ctx.placed.count == 4)
        ctx.fill("c1", strategy: g)            // buy 29970 filled
        #expect(ctx.placed.count == 5)
        #expect(ctx.placed[4].side == .sell && ctx.placed[4].price == d("30000") && ctx.placed[4].amount == d("0.01"))
        ctx.fill("c5", strategy: g)            // that sell filled: buy back at 29970
        #expect(ctx.placed[5].side == .buy && ctx.placed[5].price == d("29970"))
        ctx.fill("c4", amount: d("0.004"), strategy: g) // partial: nothing yet
        #expect(ctx.placed.count == 6)
        ctx.fill("c4", strategy: g)            // sell 30060 complete: buy at 30030
        #expect(ctx.placed[6].side == .buy && ctx.placed[6].price == d("30030") && ctx.placed[6].amount == d("0.01"))
    }

    /// A level the engine refused is placed by the retry a second later, not lost.
    @Test func aRefusedLevelIsRetriedUntilPlaced() throws {
        let ctx = FakeContext()
        let g = try make(["reference": .string("30000")])
        ctx.refuseAll = .risk(rule: "max_open_orders", message: "limit reached")
        g.start(context: ctx)
        #expect(ctx.placed.isEmpty)
        #expect(ctx.timers["grid.retry"] == ctx.now + 1_000)
        ctx.fire("grid.retry", strategy: g)         // still refused: armed again
        #expect(ctx.placed.isEmpty)
        ctx.refuseAll = nil
        ctx.fire("grid.retry", strategy: g)
        #expect(ctx.placed.map(\.price).sorted() == [d("29940"), d("29970"), d("30030"), d("30060")])
        #expect(ctx.timers["grid.retry"] == nil)
    }

    @Test func aCancelledLevelIsNotRefilled() throws {
        let ctx = FakeContext()
        let g = try make(["reference": .string("30000")])
        g.start(context: ctx)
        var o = try #require(ctx.open["c2"])
        o.state = .cancelled
        g.onOrderUpdate(OrderUpdate(kind: .cancelled(reason: nil), order: o, timestampMs: ctx.now), context: ctx)
        #expect(ctx.placed.count == 4)
    }

    @Test func reconfiguringTheLayoutRebuildsTheGridAtTheNextBook() throws {
        let ctx = FakeContext()
        let g = try make(["reference": .string("30000")])
        g.start(context: ctx)
        try g.reconfigure(parameters: params(["symbol": .string("btcusd"), "levels": .int(1), "step": .string("100"), "size": .string("0.02")]))
        g.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30990"), ask: d("31010")), context: ctx)
        #expect(Set(ctx.cancelled) == ["c1", "c2", "c3", "c4"])
        #expect(ctx.placed.suffix(2).map { "\($0.side.rawValue) \($0.price.normalized) \($0.amount.normalized)" } == ["buy 30900 0.02", "sell 31100 0.02"])
    }

    @Test func stepAndStepBpsAreExclusive() {
        #expect(throws: StrategyParameterError(parameter: "strategy.params.step", problem: .invalid("give either step or step_bps, not both"))) {
            try make(["step": .string("5")])
        }
        // Neither: the documented default, step_bps = 5.
        let g = try? GridParameters(params(["symbol": .string("btcusd"), "levels": .int(2), "size": .string("1")]))
        #expect(g?.step == .bps(5))
    }
}
