import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

@Suite struct TWAPTests {
    func make(_ extra: [String: ParameterValue] = [:]) throws -> any Strategy {
        var p: [String: ParameterValue] = [
            "symbol": .string("btcusd"), "side": .string("buy"), "target_amount": .string("1"),
            "duration": .string("4s"), "slices": .int(4),
        ]
        p.merge(extra) { $1 }
        return try BuiltinStrategies.registry.make(name: "twap", parameters: params(p))
    }

    @Test func slicesOnScheduleRollsUnfilledAmountsAndCompletes() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: d("100"), ask: d("101"))
        let t = try make()
        let start = ctx.now
        t.start(context: ctx)
        #expect(ctx.timers[TWAP.timerID] == start + 1000)
        #expect(ctx.placed.map { "\($0.side.rawValue) \($0.price) \($0.amount.normalized)" } == ["buy 100.00 0.25"])
        #expect(ctx.placed[0].options == nil)

        ctx.fill("c1", amount: d("0.1"), strategy: t)
        ctx.setBook(bid: d("102"), ask: d("103"))
        ctx.fire(TWAP.timerID, strategy: t)       // slice 1: 0.5 due, 0.1 done
        #expect(ctx.cancelled == ["c1"])
        #expect(ctx.placed[1].price == d("102") && ctx.placed[1].amount == d("0.4"))

        ctx.fill("c2", strategy: t)               // 0.5 done
        ctx.fire(TWAP.timerID, strategy: t)       // slice 2: 0.75 due
        #expect(ctx.placed[2].amount == d("0.25"))
        ctx.fire(TWAP.timerID, strategy: t)       // slice 3 (last): 1 due, nothing more filled
        #expect(ctx.cancelled == ["c1", "c3"])
        #expect(ctx.placed[3].amount == d("0.5"))
        #expect(ctx.now == start + 3000)

        ctx.fill("c4", strategy: t)
        let twap = try #require(t as? TWAP)
        #expect(twap.isDone && twap.executed == d("1"))
        #expect(ctx.timers[TWAP.timerID] == nil)
        #expect(ctx.logs.contains { $0.message == "twap complete" })
        #expect(ctx.placed.count == 4)
    }

    @Test func scheduleRoundsDownToTheQuantityStepAndEndsExactlyOnTarget() throws {
        let t = try #require(try make(["slices": .int(3), "duration": .string("3s")]) as? TWAP)
        let step = SymbolInfo.btcusd.quantityStep
        #expect(t.scheduled(through: 0, quantityStep: step) == d("0.33333333"))
        #expect(t.scheduled(through: 1, quantityStep: step) == d("0.66666666"))
        #expect(t.scheduled(through: 2, quantityStep: step) == d("1"))
    }

    @Test func maxSlippagePricesAroundMid() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: d("100"), ask: d("101"))
        let t = try make(["side": .string("sell"), "max_slippage_bps": .int(50)])
        t.start(context: ctx)
        // 100.5 × 0.995 = 99.9975, a sell rounded up to 100.00
        #expect(ctx.placed.map(\.price) == [d("100.00")])
    }

    @Test func keepsWorkingAfterTheLastSliceAndStopsWhenTheRestIsBelowTheMinimum() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: d("100"), ask: d("101"))
        let t = try make(["target_amount": .string("0.00003"), "slices": .int(2), "duration": .string("2s")])
        t.start(context: ctx)
        #expect(ctx.placed.last?.amount == d("0.000015"))
        ctx.fill("c1", strategy: t)
        ctx.fire(TWAP.timerID, strategy: t)       // last slice: 0.000015 more
        #expect(ctx.placed.last?.amount == d("0.000015"))
        ctx.fill("c2", amount: d("0.00001"), strategy: t)
        ctx.fire(TWAP.timerID, strategy: t)       // after the end: 0.000005 < minimum
        let twap = try #require(t as? TWAP)
        #expect(twap.isDone)
        #expect(ctx.placed.count == 2)
        #expect(ctx.logs.last?.message == "twap complete")
    }

    @Test func rejectsBadParametersNamingThem() {
        #expect(throws: StrategyParameterError(parameter: "strategy.params.side", problem: .invalid("must be \"buy\" or \"sell\""))) {
            try make(["side": .string("long")])
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.target_amount", problem: .invalid("must be a positive decimal"))) {
            try make(["target_amount": .string("0")])
        }
        #expect(throws: StrategyParameterError.self) { try make(["duration": .string("soon")]) }
    }

    @Test func stopReleasesTheTimerAndLeavesTheSliceToTheEngine() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: d("100"), ask: d("101"))
        let t = try make()
        t.start(context: ctx)
        t.stop(context: ctx)
        #expect(ctx.cancelled.isEmpty, "the engine disposes of open orders at stop")
        #expect(ctx.timers.isEmpty)
    }
}
