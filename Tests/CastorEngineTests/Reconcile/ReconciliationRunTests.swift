import CastorCore
@testable import CastorEngine
import CastorTrading
import Testing

/// One reconciliation's steps without a venue: which read comes next, how trades page, and
/// what is handed over to apply.
@Suite struct ReconciliationRunTests {
    static let btc = Symbol("BTCUSD")
    static let eth = Symbol("ETHUSD")

    static func trade(_ id: Int64, at ms: Int64?, symbol: Symbol = btc) -> TradeReport {
        TradeReport(tradeID: id, orderID: VenueOrderID(9_000_000 + id), clientOrderID: nil, symbol: symbol, side: .buy,
                    price: ExactDecimal(50_000), amount: ExactDecimal("0.01")!, fee: nil, feeCurrency: nil,
                    isTaker: false, timestampMs: ms)
    }

    static func snapshot(_ id: VenueOrderID) -> OrderSnapshot {
        OrderSnapshot(orderID: id, clientOrderID: "cx-\(id)", symbol: btc, side: .sell, price: ExactDecimal(51_000),
                      originalAmount: ExactDecimal(1), executedAmount: .zero, remainingAmount: ExactDecimal(1), state: .open)
    }

    @Test func withoutASnapshotTheOpenOrdersComeFirstThenEachSymbolsTradesFromItsCatchUpPoint() {
        var run = ReconciliationRun(trigger: .startup, snapshot: nil, settled: [], pageSize: 3)
        var asked: [Symbol] = []
        let catchUp: (Symbol) -> Int64 = { asked.append($0); return $0 == Self.btc ? 1_000 : 2_000 }
        #expect(run.start(symbols: [Self.btc, Self.eth], catchUp: catchUp) == .fetchOpenOrders)
        #expect(asked.isEmpty, "no catch-up point before the open orders are in")
        #expect(run.currentRead.step == "open_orders")

        let open = [Self.snapshot(1)]
        #expect(run.openOrdersFetched(open, symbols: [Self.btc, Self.eth], catchUp: catchUp)
            == .fetchTrades(Self.btc, sinceMs: 1_000, limit: 3))
        #expect(asked == [Self.btc], "the next symbol's point is read only when its turn comes")
        #expect(run.currentRead.step == "trades" && run.currentRead.symbol == Self.btc)

        let (afterBTC, stuck) = run.tradesFetched([Self.trade(1, at: 1_500)], catchUp: catchUp)
        #expect(afterBTC == .fetchTrades(Self.eth, sinceMs: 2_000, limit: 3))
        #expect(stuck == nil)
        let (done, _) = run.tradesFetched([], catchUp: catchUp)
        #expect(done == .apply(.init(open: open.map { .status($0) },
                                     trades: [Self.btc: [Self.trade(1, at: 1_500)], Self.eth: []], settled: [])))
    }

    @Test func aSnapshotSkipsTheOpenOrdersRead() {
        let settled: Set<ClientOrderID> = [ClientOrderID("cx-a")!]
        var run = ReconciliationRun(trigger: .reconnect, snapshot: [], settled: settled)
        #expect(run.start(symbols: [Self.btc], catchUp: { _ in 7 })
            == .fetchTrades(Self.btc, sinceMs: 7, limit: ReconciliationRun.defaultPageSize))
        let (next, _) = run.tradesFetched([], catchUp: { _ in 7 })
        #expect(next == .apply(.init(open: [], trades: [Self.btc: []], settled: settled)))
    }

    @Test func aSnapshotAndNoSymbolsAppliesAtOnce() {
        var run = ReconciliationRun(trigger: .reconnect, snapshot: [], settled: [])
        #expect(run.start(symbols: [], catchUp: { _ in 0 }) == .apply(.init(open: [], trades: [:], settled: [])))
    }

    /// Same-millisecond trades may straddle pages: the next page starts at the newest time
    /// seen, not after it, and rows seen already are dropped by trade id.
    @Test func fullPagesPageForwardFromTheNewestTimeAndDropDuplicates() {
        var run = ReconciliationRun(trigger: .startup, snapshot: [], settled: [], pageSize: 2)
        #expect(run.start(symbols: [Self.btc], catchUp: { _ in 100 }) == .fetchTrades(Self.btc, sinceMs: 100, limit: 2))
        let (second, _) = run.tradesFetched([Self.trade(1, at: 100), Self.trade(2, at: 200)], catchUp: { _ in 0 })
        #expect(second == .fetchTrades(Self.btc, sinceMs: 200, limit: 2))
        let (third, _) = run.tradesFetched([Self.trade(2, at: 200), Self.trade(3, at: 300)], catchUp: { _ in 0 })
        #expect(third == .fetchTrades(Self.btc, sinceMs: 300, limit: 2))
        let (done, stuck) = run.tradesFetched([Self.trade(3, at: 300)], catchUp: { _ in 0 })
        #expect(stuck == nil)
        guard case .apply(let fetched) = done else { Issue.record("expected apply, got \(done)"); return }
        #expect(fetched.trades[Self.btc]?.map(\.tradeID) == [1, 2, 3])
    }

    /// A full page of trades already seen cannot be paged past: the run goes on with what
    /// it has and says so.
    @Test func aFullPageOfKnownTradesIsReportedStuckAndTheRunGoesOn() {
        var run = ReconciliationRun(trigger: .retry, snapshot: [], settled: [], pageSize: 2)
        _ = run.start(symbols: [Self.btc, Self.eth], catchUp: { _ in 100 })
        let (again, _) = run.tradesFetched([Self.trade(1, at: 100), Self.trade(2, at: 100)], catchUp: { _ in 100 })
        #expect(again == .fetchTrades(Self.btc, sinceMs: 100, limit: 2))
        let (next, stuck) = run.tradesFetched([Self.trade(1, at: 100), Self.trade(2, at: 100)], catchUp: { _ in 100 })
        #expect(stuck == .init(symbol: Self.btc, sinceMs: 100, pageSize: 2))
        #expect(next == .fetchTrades(Self.eth, sinceMs: 100, limit: 2))
    }

    /// A full page whose rows carry no time (or only times before the start) ends the
    /// symbol: paging could not move forward.
    @Test func aFullPageWithoutNewerTimesEndsTheSymbol() {
        var run = ReconciliationRun(trigger: .startup, snapshot: [], settled: [], pageSize: 1)
        _ = run.start(symbols: [Self.btc], catchUp: { _ in 500 })
        let (done, stuck) = run.tradesFetched([Self.trade(1, at: nil)], catchUp: { _ in 500 })
        #expect(stuck == nil)
        guard case .apply(let fetched) = done else { Issue.record("expected apply, got \(done)"); return }
        #expect(fetched.trades[Self.btc]?.map(\.tradeID) == [1])
    }

    @Test func everyTriggerHasAStableShortCode() {
        #expect(ReconcileTrigger.allCases.map(\.code) == ["startup", "reconnect", "symbols_changed", "retry", "shutdown_catch_up"])
        for code in ReconcileTrigger.allCases.map(\.code) {
            #expect(code.allSatisfy { $0.isLowercase || $0 == "_" }, "\(code)")
        }
    }
}
