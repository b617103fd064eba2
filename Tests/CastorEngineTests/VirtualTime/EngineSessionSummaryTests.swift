import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Dispatch
import Synchronization
import Testing

/// At stop the engine logs the session: orders, fills, fees, realized PnL and the final
/// position per symbol (`engine.session_summary`), and each symbol's PnL at the last mid
/// (`engine.session_pnl`), in exact decimals.
@Suite(.serialized) struct EngineSessionSummaryTests {
    final class Made: @unchecked Sendable {
        let feed = Mutex<TellingOrderEvents?>(nil)
    }

    static func fill(of s: OrderSnapshot, amount: String, price: String, fee: String, tradeID: String) -> OrderReport {
        let amount = ExactDecimal(amount)!
        let original = s.originalAmount ?? amount
        return OrderReport(kind: .fill, orderID: s.orderID, clientOrderID: s.clientOrderID, symbol: s.symbol, side: s.side,
                           price: s.price, originalAmount: original, executedAmount: amount,
                           remainingAmount: original - amount, isLive: original != amount, isCancelled: false,
                           timestampMs: EngineVirtualTimeTests.t0,
                           execution: .init(tradeID: tradeID, price: ExactDecimal(price)!, amount: amount,
                                            fee: ExactDecimal(fee)!, feeCurrency: "USD", isMaker: true))
    }

    @Test func theStopLogsTheSessionsOrdersFillsFeesPnLAndPositions() async throws {
        let made = Made()
        let h = try EngineVirtualTimeTests.Harness(orders: [(.buy, 49_995, "0.02"), (.sell, 50_005, "0.01")],
                                                   orderEvents: { _ in
            let feed = TellingOrderEvents()
            made.feed.withLock { $0 = feed }
            return feed
        })
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.count == 2 }, "placements: \(h.venue.calls)")
        let resting = h.venue.resting.values.sorted { $0.side == .buy && $1.side != .buy }
        let buy = try #require(resting.first { $0.side == .buy })
        let sell = try #require(resting.first { $0.side == .sell })
        h.on {
            made.feed.withLock { $0 }?.tell([Self.fill(of: buy, amount: "0.02", price: "49995.00", fee: "0.20", tradeID: "71")])
            made.feed.withLock { $0 }?.tell([Self.fill(of: sell, amount: "0.01", price: "50005.00", fee: "0.10", tradeID: "72")])
        }
        h.settle()
        _ = h.shutdown()
        let summary = try #require(h.log.records.first { $0.metadata["event"] == "engine.session_summary" })
        #expect(summary.metadata["orders"] == "2")
        #expect(summary.metadata["fills"] == "2")
        #expect(summary.metadata["fees"] == "BTCUSD=0.30")
        // FIFO: 0.01 of the 49,995 buy sold at 50,005.
        #expect(summary.metadata["realized"] == "BTCUSD=0.1000")
        #expect(summary.metadata["positions"] == "BTCUSD=0.01")
        let pnl = try #require(h.log.records.first { $0.metadata["event"] == "engine.session_pnl" })
        #expect(pnl.metadata["symbol"] == "BTCUSD")
        #expect(pnl.metadata["mark"] == "50000.0")  // the fixed book's mid
        #expect(pnl.metadata["unrealized"] == "0.0500")  // 0.01 held from 49,995, marked at 50,000
        #expect(pnl.metadata["volume"] == "0.03")
    }
}
