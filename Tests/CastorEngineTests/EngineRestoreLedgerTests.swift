import CastorCore
import CastorEngine
import CastorJournal
import CastorTrading
import Foundation
import GeminiProtocol
import Testing

/// Start-up's ledger rebuild (`Engine.restoreLedger`) from the journal's aggregate and recent
/// fills must give what replaying every journaled fill gave before issue 10.
@Suite struct EngineRestoreLedgerTests {
    static func journalFill(_ i: Int) -> JournalFill {
        let symbols = ["btcusd", "ethusd", "ethbtc"]
        return JournalFill(
            tradeID: String(500_000 + i), orderID: "\(i / 5)", clientOrderID: nil, symbol: symbols[i % 3],
            side: i % 4 == 0 ? .sell : .buy, price: ExactDecimal("\(3_000 + i % 311).\(i % 1_000)")!,
            amount: ExactDecimal("0.\(1 + i % 4_999)")!, fee: i % 6 == 0 ? .zero : ExactDecimal("0.0\(i % 89)")!,
            feeCurrency: ["USD", "GUSD", "BTC", ""][i % 4], liquidity: .maker,
            // Ten minutes apart: 6,000 fills span about six weeks, far beyond the window.
            timestampMs: 1_700_000_000_000 + Int64(i) * 600_000)
    }

    static func ledgerFill(_ f: JournalFill) -> LedgerFill {
        LedgerFill(tradeID: TradeID(f.tradeID), orderID: VenueOrderID(f.orderID)!, clientOrderID: nil, symbol: Symbol(f.symbol),
                           side: f.side, price: f.price, amount: f.amount, fee: f.fee,
                           feeCurrency: f.feeCurrency, timestampMs: f.timestampMs, isMaker: true, source: .myTrades)
    }

    @Test func restartWithManyFillsGivesTheSamePositions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("castor-restore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scope = JournalScope(venue: "sandbox", account: nil)
        let fills = (0..<6_000).map(Self.journalFill)
        do {
            let journal = try Journal(stateDirectory: dir, scope: scope)
            try journal.recordFills(Array(fills[..<3_000]))
            for f in fills[3_000...] { try journal.recordFill(f) }
            try journal.recordFills(Array(fills[..<100]))  // duplicates count once
            try journal.close()
        }
        let replayed = FillLedger(restoring: fills.map(Self.ledgerFill))

        let journal = try Journal(stateDirectory: dir, scope: scope)
        defer { try? journal.close() }
        let (_, restored) = try Engine.restoreLedger(from: journal)
        #expect(restored.positions == replayed.positions)
        #expect(restored.lastFillTimestampMs == replayed.lastFillTimestampMs)
        #expect(restored.fills.count < 100, "only the last hour of each symbol is in memory, not \(restored.fills.count)")
        for symbol: Symbol in ["BTCUSD", "ETHUSD", "ETHBTC"] {
            // `catchUpPoint` reads the newest fill of each symbol from the ledger's fills.
            let newest = { (l: FillLedger) in l.fills.values.filter { $0.symbol == symbol }.compactMap(\.timestampMs).max() }
            #expect(newest(restored) == newest(replayed))
        }
        #expect(restored.contains(TradeID("500000")) && restored.contains(TradeID("505999")))
        #expect(!restored.contains(TradeID("999999999")))
        for order: VenueOrderID in [0, 600, 1199] {
            #expect(restored.executed(orderID: order) == replayed.executed(orderID: order))
        }
        // A fill from weeks ago coming back (a catch-up reaching back for an old order) is a
        // duplicate, not a second count.
        var ledger = restored
        #expect(ledger.record(Self.ledgerFill(fills[1])) == .duplicate(TradeID(fills[1].tradeID)))
        #expect(ledger.positions == replayed.positions)
    }
}
