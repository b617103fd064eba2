import CastorBacktest
import CastorCore
import CastorTestSupport
import Testing

/// The fill model on hand-made recordings whose fills are known exactly.
@Suite struct BacktestFillModelTests {
    @Test func restingBidFillsOnlyAfterTheQueueAheadIsTraded() async throws {
        // A bid for 1 at 100.00 joins 2 displayed there (queue ahead 2) when it goes live 50 ms
        // after the snapshot. 1.5 trade at 100.00 (queue 0.5 left, nothing for us), a trade at
        // 101.00 (not ours), then 1 at 100.00 (0.5 of queue, 0.5 ours), 0.3 at 100.00 (ours),
        // then a trade strictly through (99.50): the remaining 0.2 fills at our 100.00.
        let text = [
            HandMade.at(0, HandMade.snapshot),
            HandMade.at(20, HandMade.trade(1, "100.00", "5")), // before we are live: not ours, queue untouched
            HandMade.at(100, HandMade.trade(2, "100.00", "1.5")),
            HandMade.at(150, HandMade.trade(3, "101.00", "0.7", "buy")),
            HandMade.at(200, HandMade.trade(4, "100.00", "1")),
            HandMade.at(300, HandMade.trade(5, "100.00", "0.3")),
            HandMade.at(400, HandMade.trade(6, "99.50", "0.1")),
            HandMade.at(500, HandMade.trade(7, "99.50", "0.1")), // nothing left to fill
        ].joined(separator: "\n") + "\n"
        let strategy = OneOrder(side: .buy, price: ExactDecimal("100.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.messages == 8)
        #expect(report.orders == 1)
        #expect(report.fills == 3)
        #expect(report.venueCounters.makerFills == 3 && report.venueCounters.takerFills == 0)
        #expect(report.ledgerMatchesVenue)
        let s = try #require(report.symbols.first)
        #expect(s.position == 1)
        #expect(s.volume == 1)
        // 20 bps of 50 + 30 + 20 USD of notional.
        #expect(s.fees == ExactDecimal("0.2")!)
        #expect(s.realized == .zero)
        #expect(s.mark == ExactDecimal("100.5")!)
        #expect(s.unrealized == ExactDecimal("0.5")!)
        #expect(report.total == ExactDecimal("0.3")!)
        #expect(report.stopError == nil)
    }

    @Test func restingBidIsNotFilledWithoutTradesAtOrThroughItsPrice() async throws {
        // Trades print only at the ask and the bid level shrinks and grows: no fill.
        let text = [
            HandMade.at(0, HandMade.snapshot),
            HandMade.at(100, HandMade.trade(1, "101.00", "0.5", "buy")),
            HandMade.at(200, HandMade.l2("buy", "100.00", "0.5")),
            HandMade.at(300, HandMade.l2("buy", "100.00", "4")),
            HandMade.at(400, HandMade.trade(2, "100.00", "0.5")), // the queue ahead shrank to 0.5 with the level
            HandMade.at(500, HandMade.trade(3, "100.00", "0.25")),
        ].joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("100.00")!, amount: 1)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        // Only the last trade reaches us: 0.25 of the 1.
        #expect(report.fills == 1)
        #expect(report.symbols.first?.position == ExactDecimal("0.25")!)
        #expect(report.venueCounters.cancelled == 1) // the rest, at the end of the run
    }

    @Test func crossingBuyTakesTheAskLevelsAndPaysTheTakerFee() async throws {
        // A buy of 1.5 at 102.00 meets asks 101.00 ×1 and 102.00 ×3: 1 at 101, 0.5 at 102.
        let text = [HandMade.at(0, HandMade.snapshot), HandMade.at(1_000, HandMade.l2("buy", "99.00", "2"))]
            .joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("102.00")!, amount: ExactDecimal("1.5")!)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.fills == 2)
        #expect(report.venueCounters.takerFills == 2 && report.venueCounters.makerFills == 0)
        let s = try #require(report.symbols.first)
        #expect(s.position == ExactDecimal("1.5")!)
        // 40 bps of 101 + 51.
        #expect(s.fees == ExactDecimal("0.608")!)
        // Worth 1.5 × 100.5 = 150.75 against 152 paid.
        #expect(s.unrealized == ExactDecimal("-1.25")!)
        #expect(report.total == ExactDecimal("-1.858")!)
    }

    @Test func makerOrCancelThatWouldTakeIsCancelled() async throws {
        let text = [HandMade.at(0, HandMade.snapshot), HandMade.at(1_000, HandMade.trade(1, "101.00", "1", "buy"))]
            .joined(separator: "\n")
        let strategy = OneOrder(side: .buy, price: ExactDecimal("101.00")!, amount: 1, option: .makerOrCancel)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.fills == 0)
        #expect(report.venueCounters.unfilledImmediate == 1)
    }

    @Test func sellRestsAndFillsWhenTheBidMovesThroughIt() async throws {
        // A sell of 0.4 at 101.00 joins the 1 displayed; the bid side then jumps to 101.50.
        let text = [
            HandMade.at(0, HandMade.snapshot),
            HandMade.at(100, HandMade.l2("sell", "101.00", "0")),
            HandMade.at(200, HandMade.l2("buy", "101.50", "1")),
        ].joined(separator: "\n")
        let strategy = OneOrder(side: .sell, price: ExactDecimal("101.00")!, amount: ExactDecimal("0.4")!)
        let report = try await offPool { try BacktestHarness.run(text, BacktestHarness.options(strategy)) }
        #expect(report.fills == 1)
        #expect(report.symbols.first?.position == ExactDecimal("-0.4")!)
        #expect(report.symbols.first?.fees == ExactDecimal("0.0808")!)
    }
}
