import CastorCore
import GeminiProtocol
import Synchronization
import Testing
@testable import CastorTrading

/// What the journal is to the engine's ledger: every fill ever counted, by trade id.
final class ArchiveStub: FillArchive {
    private struct Store { var byTrade: [TradeID: LedgerFill] = [:]; var byOrder: [VenueOrderID: [LedgerFill]] = [:] }
    private let stored = Mutex(Store())

    func add(_ fill: LedgerFill) {
        stored.withLock {
            guard $0.byTrade[fill.tradeID] == nil else { return }
            $0.byTrade[fill.tradeID] = fill
            $0.byOrder[fill.orderID, default: []].append(fill)
        }
    }

    func containsFill(_ tradeID: TradeID) -> Bool { stored.withLock { $0.byTrade[tradeID] != nil } }

    func executedAmount(orderID: VenueOrderID, excluding: TradeID?) -> ExactDecimal {
        stored.withLock { s in
            (s.byOrder[orderID] ?? []).filter { $0.tradeID != excluding }.reduce(.zero) { $0 + $1.amount }
        }
    }
}

@Suite struct LedgerRetentionTests {
    static func fill(_ i: Int, ms: Int64, symbol: Symbol = "BTCUSD", order: VenueOrderID? = nil) -> LedgerFill {
        LedgerFill(tradeID: TradeID(Int64(1_000_000 + i)), orderID: order ?? VenueOrderID(Int64(10_000 + i / 4)), clientOrderID: nil, symbol: symbol,
             side: i % 3 == 0 ? .sell : .buy, price: ExactDecimal("\(20_000 + i % 500).\(i % 100)")!,
             amount: ExactDecimal("0.\(1 + i % 999)")!, fee: ExactDecimal("0.00\(i % 7)")!,
             feeCurrency: i % 5 == 0 ? "GUSD" : "USD", timestampMs: ms, isMaker: true, source: .myTrades)
    }

    /// 50,000 fills one minute apart (about 35 days) with a one-hour window: memory stays
    /// under the bound after every insert, and the positions match a ledger that keeps all.
    @Test func tradeIDSetStaysBoundedOverALongHistory() {
        let archive = ArchiveStub()
        let retention = FillRetention(windowMs: 3_600_000, maxFills: 500, archive: archive)
        var bounded = FillLedger(retention: retention)
        var full = FillLedger()
        var maxSeen = 0
        for i in 0..<50_000 {
            let symbol: Symbol = i % 2 == 0 ? "BTCUSD" : "ETHUSD"
            let f = Self.fill(i, ms: 1_700_000_000_000 + Int64(i) * 60_000, symbol: symbol)
            guard case .applied = bounded.record(f) else { Issue.record("fill \(i) not applied"); return }
            archive.add(f)
            full.record(f)
            maxSeen = max(maxSeen, bounded.fills.count, bounded.executedByOrder.count)
        }
        #expect(maxSeen <= 500)
        // One hour of fills, one a minute, two symbols: about 61 + 61 retained once pruned.
        #expect(bounded.fills.count <= 500)
        #expect(bounded.positions == full.positions)
        #expect(bounded.lastFillTimestampMs == full.lastFillTimestampMs)
        // Each symbol's newest fill is still in memory (the catch-up point reads it).
        for symbol: Symbol in ["BTCUSD", "ETHUSD"] {
            let newestInMemory = bounded.fills.values.filter { $0.symbol == symbol }.compactMap(\.timestampMs).max()
            let newestAll = full.fills.values.filter { $0.symbol == symbol }.compactMap(\.timestampMs).max()
            #expect(newestInMemory == newestAll)
        }
        // A trade from a month ago, forgotten by memory, is still known and never recounted.
        let old = Self.fill(7, ms: 1_700_000_000_000 + 7 * 60_000, symbol: "ETHUSD")
        #expect(bounded.fills[old.tradeID] == nil)
        #expect(bounded.contains(old.tradeID))
        #expect(bounded.record(old) == .duplicate(old.tradeID))
        #expect(bounded.positions == full.positions)
        // Executed amounts of forgotten orders come from the archive, exactly.
        #expect(bounded.executed(orderID: VenueOrderID(10_001)) == full.executed(orderID: VenueOrderID(10_001)))
        #expect(bounded.executed(orderID: VenueOrderID(22_000)) == full.executed(orderID: VenueOrderID(22_000)))
    }

    /// A burst of fills in one millisecond: the time window keeps them all, `maxFills` does not.
    @Test func burstIsCappedButKeepsEachSymbolsNewest() {
        let archive = ArchiveStub()
        var ledger = FillLedger(retention: FillRetention(windowMs: 3_600_000, maxFills: 1_000, archive: archive))
        ledger.record(Self.fill(0, ms: 5, symbol: "SOLUSD"))
        archive.add(Self.fill(0, ms: 5, symbol: "SOLUSD"))
        for i in 1...10_000 {
            let f = Self.fill(i, ms: 1_000)
            ledger.record(f)
            archive.add(f)
            #expect(ledger.fills.count <= 1_000)
        }
        #expect(ledger.fills[TradeID(Int64(1_000_000))] != nil, "SOLUSD's only fill is its newest")
        #expect(ledger.position("BTCUSD").fillCount == 10_000)
        #expect(ledger.contains(TradeID(Int64(1_000_001))))
    }

    /// A fill of an order whose earlier fills left memory adds to the order's archived total.
    @Test func executedAmountContinuesFromTheArchive() {
        let archive = ArchiveStub()
        var ledger = FillLedger(retention: FillRetention(windowMs: 1_000, maxFills: 10, archive: archive))
        for i in 0..<2_000 {
            let f = Self.fill(i, ms: Int64(i) * 10_000, order: i == 0 || i == 1_999 ? "999999" : nil)
            ledger.record(f)
            archive.add(f)
        }
        let first = Self.fill(0, ms: 0, order: "999999"), last = Self.fill(1_999, ms: 0, order: "999999")
        #expect(ledger.executed(orderID: "999999") == first.amount + last.amount)
    }

    /// Restoring from totals gives the same positions as replaying every fill.
    @Test func restoringFromTotalsMatchesReplay() {
        var full = FillLedger(quoteCurrencies: ["ETHBTC": "BTC"])
        var fills: [LedgerFill] = []
        for i in 0..<3_000 {
            let symbol: Symbol = i % 3 == 0 ? "ETHBTC" : "BTCUSD"
            let f = Self.fill(i, ms: Int64(i) * 1_000, symbol: symbol)
            fills.append(f)
            full.record(f)
        }
        var totals: [Symbol: FillTotals] = [:]
        for f in fills {
            var t = totals[f.symbol] ?? FillTotals(base: .zero, quoteExcludingFees: .zero, fees: [:], fillCount: 0)
            t.base = t.base + f.signedBase
            t.quoteExcludingFees = t.quoteExcludingFees + f.signedQuote
            t.fees[f.feeCurrency!, default: .zero] = t.fees[f.feeCurrency!, default: .zero] + f.fee
            t.fillCount += 1
            totals[f.symbol] = t
        }
        let archive = ArchiveStub()
        for f in fills { archive.add(f) }
        let restored = FillLedger(totals: totals, recent: Array(fills.suffix(50)), lastFillTimestampMs: full.lastFillTimestampMs,
                                  retention: FillRetention(windowMs: 60_000, maxFills: 100, archive: archive),
                                  quoteCurrencies: ["ETHBTC": "BTC"])
        #expect(restored.positions == full.positions)
        #expect(restored.lastFillTimestampMs == full.lastFillTimestampMs)
        #expect(restored.contains(fills[0].tradeID) && restored.contains(fills[2_999].tradeID))
        #expect(restored.executed(orderID: VenueOrderID(10_010)) == full.executed(orderID: VenueOrderID(10_010)))
    }
}
