import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

/// Mids and positions at the edge of what the feed decoders accept (|v| < 1e20, 18
/// places): the built-ins' arithmetic must not trap on them (issue 10, defect 3). A side
/// that cannot be computed is not quoted.
@Suite struct StrategyArithmeticTests {
    private let huge = ExactDecimal("99999999999999999999.999999999999999999")!

    @Test func theMarketMakerQuotesNothingWhenItsArithmeticWouldOverflow() throws {
        let ctx = FakeContext()
        ctx.positions["btcusd"] = huge
        let mm = try BuiltinStrategies.registry.make(name: "market-maker", parameters: params([
            "symbol": .string("btcusd"), "spread_bps": .int(20), "size": .string("0.01"), "skew_bps_per_unit": .string("10")]))
        mm.start(context: ctx)
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: huge, ask: huge), context: ctx)
        #expect(ctx.placed.isEmpty)
        // Back to ordinary values, it quotes again.
        ctx.positions["btcusd"] = .zero
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("29990"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 2)
    }

    @Test func theGridLaysOutNothingAroundAReferenceTooLargeToStepFrom() throws {
        let ctx = FakeContext()
        ctx.setBook(bid: huge, ask: huge)
        let g = try BuiltinStrategies.registry.make(name: "grid", parameters: params([
            "symbol": .string("btcusd"), "levels": .int(2), "step_bps": .int(10), "size": .string("0.01")]))
        g.start(context: ctx)
        #expect(ctx.placed.isEmpty)
    }

    @Test func movedMoreThanNeverTraps() {
        #expect(DecimalMath.movedMoreThan(huge, from: ExactDecimal("0.000000000000000001")!, bps: 10_000))
        #expect(!DecimalMath.movedMoreThan(d("100"), from: d("100"), bps: 1))
        #expect(DecimalMath.scaled(huge, by: huge) == nil)
    }
}
